/**
 * Actions an upstream knows under another name or shape (reference onebot11-and-peers.md §2.3,
 * §2.4): when the upstream answers `API_NOT_FOUND` for one of these, the action is asked again
 * in the form that implementation understands. Keyed by the name the client used, not by the
 * upstream's flavour: an upstream that has the asked name answers it the first time.
 *
 * | client asks               | upstream also has                           | who              |
 * | delete_group_folder       | delete_group_file_folder                    | Lagrange         |
 * | _del_group_notice         | _delete_group_notice                        | LLOneBot         |
 * | set_msg_emoji_like        | set_group_reaction {group_id, code, is_add} | Lagrange         |
 * | unset_msg_emoji_like      | set_msg_emoji_like {set: false}             | NapCat           |
 * | get_friend_with_category  | get_friends_with_category                   | NapCat, LLOneBot |
 * | set_group_sign            | send_group_sign                             | LLOneBot         |
 * | set_group_kick_members    | batch_delete_group_member {user_ids}        | LLOneBot         |
 * | batch_delete_group_member | set_group_kick_members {user_id}            | NapCat           |
 * | set_group_file_forever    | trans_group_file                            | NapCat           |
 * | fetch_ptt_text            | voice_msg_to_text                           | LLOneBot         |
 * | voice_msg_to_text         | fetch_ptt_text                              | NapCat           |
 * | send_poke                 | group_poke / friend_poke                    | LLOneBot         |
 *
 * Lagrange's reaction needs the message's group, which history knows from the id. No upstream
 * answers `get_friend_with_category` (it is the name of LLOneBot's class, whose action is
 * `get_friends_with_category`, as NapCat's is).
 */
import type { MessageLookup } from '@cqfleet/rpc';

export interface Renamed {
  action: string;
  params: unknown;
}

type Params = Record<string, unknown>;
type Rename = (
  params: Params,
  ctx: { uin: number; history: MessageLookup },
) => Promise<Renamed | undefined>;

const same =
  (action: string): Rename =>
  async params => ({ action, params });

/** The same action under `action`, with the list of members moved from `from` to `to`. */
const kickUnder =
  (action: string, from: string, to: string): Rename =>
  async ({ [from]: list, ...rest }) => ({ action, params: { ...rest, [to]: list } });

const RENAMES: Readonly<Record<string, Rename>> = {
  delete_group_folder: same('delete_group_file_folder'),
  _del_group_notice: same('_delete_group_notice'),
  get_friend_with_category: same('get_friends_with_category'),
  set_group_sign: same('send_group_sign'),
  set_group_file_forever: same('trans_group_file'),
  fetch_ptt_text: same('voice_msg_to_text'),
  voice_msg_to_text: same('fetch_ptt_text'),
  set_group_kick_members: kickUnder('batch_delete_group_member', 'user_id', 'user_ids'),
  batch_delete_group_member: kickUnder('set_group_kick_members', 'user_ids', 'user_id'),
  unset_msg_emoji_like: async p => ({ action: 'set_msg_emoji_like', params: { ...p, set: false } }),
  send_poke: async ({ target_id, ...p }) =>
    p.group_id === undefined
      ? { action: 'friend_poke', params: { user_id: p.user_id } }
      : { action: 'group_poke', params: { group_id: p.group_id, user_id: target_id ?? p.user_id } },
  set_msg_emoji_like: async (p, { uin, history }) => {
    const message = await history.find(uin, Number(p.message_id), 'MSG_NOT_FOUND');
    if (message.message_type !== 'group') return undefined;
    return {
      action: 'set_group_reaction',
      params: {
        group_id: message.group_id,
        message_id: p.message_id,
        code: String(p.emoji_id),
        is_add: p.set !== false,
      },
    };
  },
};

/** The other form of `action`, when there is one. */
export function renamed(
  action: string,
  params: unknown,
  ctx: { uin: number; history: MessageLookup },
): Promise<Renamed | undefined> {
  const rename = RENAMES[action];
  if (!rename || params === null || typeof params !== 'object') return Promise.resolve(undefined);
  return rename(params as Params, ctx);
}
