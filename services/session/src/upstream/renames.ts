/**
 * Actions an upstream knows under another name or shape (reference onebot11-and-peers.md §2.3,
 * §2.4): when the upstream answers `API_NOT_FOUND` for one of these, the action is asked again
 * in the form that implementation understands. Keyed by the name the client used, not by the
 * upstream's flavour: an upstream that has the go-cqhttp name answers it the first time.
 *
 * | client asks           | upstream also has                          | who           |
 * | delete_group_folder   | delete_group_file_folder                   | Lagrange      |
 * | _del_group_notice     | _delete_group_notice                       | LLOneBot      |
 * | set_msg_emoji_like    | set_group_reaction {group_id, code, is_add} | Lagrange     |
 *
 * Lagrange's reaction needs the message's group, which history knows from the id.
 */
import type { MessageLookup } from '@cqfleet/rpc';

export interface Renamed {
  action: string;
  params: unknown;
}

type Rename = (
  params: Record<string, unknown>,
  ctx: { uin: number; history: MessageLookup },
) => Promise<Renamed | undefined>;

const same =
  (action: string): Rename =>
  async params => ({ action, params });

const RENAMES: Readonly<Record<string, Rename>> = {
  delete_group_folder: same('delete_group_file_folder'),
  _del_group_notice: same('_delete_group_notice'),
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
  return rename(params as Record<string, unknown>, ctx);
}
