import { describe, expect, it } from 'vitest';
import {
  actions,
  isActionName,
  OneBotError,
  parseParams,
  resolveAction,
  supportedActions,
} from '@cqfleet/onebot';

// Every action named in reference §1.4–1.5 and in the user's extended-API document.
const REFERENCE_ACTIONS = `
send_private_msg send_group_msg send_msg delete_msg get_msg get_forward_msg send_like
set_group_kick set_group_ban set_group_anonymous_ban set_group_whole_ban set_group_admin
set_group_anonymous set_group_card set_group_name set_group_leave set_group_special_title
set_friend_add_request set_group_add_request get_login_info get_stranger_info get_friend_list
get_group_info get_group_list get_group_member_info get_group_member_list get_group_honor_info
get_cookies get_csrf_token get_credentials get_record clean_cache get_image can_send_image
can_send_record get_status get_version_info set_restart .handle_quick_operation
send_group_forward_msg send_private_forward_msg send_forward_msg get_group_msg_history
download_file upload_group_file upload_private_file get_group_file_system_info
get_group_root_files get_group_files_by_folder get_group_file_url create_group_file_folder
delete_group_folder delete_group_file ocr_image .ocr_image .get_word_slices get_group_system_msg
get_group_at_all_remain set_essence_msg delete_essence_msg get_essence_msg_list
_send_group_notice _get_group_notice _del_group_notice _get_model_show _set_model_show
get_online_clients check_url_safely delete_friend delete_unidirectional_friend
get_unidirectional_friend_list mark_msg_as_read set_qq_profile set_group_portrait send_group_sign
qidian_get_account_info reload_event_filter get_supported_actions _get_vip_info get_updates
get_guild_service_profile get_guild_list get_guild_meta_by_guest get_guild_channel_list
get_guild_member_list get_guild_member_profile get_guild_roles create_guild_role delete_guild_role
set_guild_member_role update_guild_role get_topic_channel_feeds send_guild_channel_msg get_guild_msg
set_msg_emoji_like get_friend_msg_history mark_private_msg_as_read mark_group_msg_as_read
get_recent_contact group_poke friend_poke fetch_custom_face get_group_shut_list
`
  .split(/\s+/)
  .filter(Boolean);

describe('action table', () => {
  it.each(REFERENCE_ACTIONS)('names %s', name => {
    expect(isActionName(name)).toBe(true);
  });

  it('every entry has a params and a result schema and a known owner', () => {
    for (const [name, spec] of Object.entries(actions)) {
      expect(['session', 'history', 'media', 'gateway'], name).toContain(spec.owner);
      expect(typeof spec.params.safeParse, name).toBe('function');
      expect(typeof spec.result.safeParse, name).toBe('function');
      expect(spec.summary.length, name).toBeGreaterThan(0);
    }
  });

  it('get_supported_actions is derived from the table (ready entries only)', () => {
    const supported = supportedActions();
    expect(supported).toContain('send_group_msg');
    expect(supported).toContain('get_msg');
    for (const name of supported)
      expect(actions[name as keyof typeof actions].status).toBe('ready');
  });
});

describe('action names', () => {
  it.each([
    ['send_group_msg', 'send_group_msg', 'normal'],
    ['send_group_msg_async', 'send_group_msg', 'async'],
    ['send_group_msg_rate_limited', 'send_group_msg', 'rate_limited'],
    ['.get_word_slices', '.get_word_slices', 'normal'],
    ['.handle_quick_operation_async', '.handle_quick_operation', 'async'],
  ])('%s resolves to %s (%s)', (wire, name, mode) => {
    expect(resolveAction(wire)).toMatchObject({ name, mode });
  });

  it.each(['nope', 'send_group_msg_x', '_async', 'constructor', '__proto__', 'toString'])(
    'unknown %s resolves to nothing',
    wire => {
      expect(resolveAction(wire)).toBeUndefined();
    },
  );
});

describe('parameter coercion', () => {
  it.each<[string, unknown, number]>([
    ['number', 100100, 100100],
    ['decimal string', '100100', 100100],
    ['padded string', ' 42 ', 42],
    ['negative string', '-5', -5],
    ['float truncates', 12.9, 12],
    ['true is 1', true, 1],
    ['absent is 0', undefined, 0],
    ['null is 0', null, 0],
    ['empty string is 0', '', 0],
  ])('int from %s', (_name, value, expected) => {
    expect(parseParams('get_group_info', { group_id: value }).group_id).toBe(expected);
  });

  it.each([['abc'], [{}], [[1]], ['12abc'], ['1e5']])(
    'int from garbage %j is INVALID_PARAMS',
    value => {
      expect(() => parseParams('get_group_info', { group_id: value })).toThrowError(OneBotError);
      try {
        parseParams('get_group_info', { group_id: value });
      } catch (err) {
        expect((err as OneBotError).msg).toBe('INVALID_PARAMS');
        expect((err as OneBotError).wording).toContain('group_id');
      }
    },
  );

  it.each<[unknown, boolean]>([
    [true, true],
    [false, false],
    [1, true],
    [0, false],
    ['1', true],
    ['0', false],
    ['true', true],
    ['TRUE', true],
    ['t', true],
    ['false', false],
    ['f', false],
    ['yes', true],
    ['no', false],
    [undefined, true], // set_group_whole_ban: enable defaults to true
  ])('bool from %j', (value, expected) => {
    expect(parseParams('set_group_whole_ban', { group_id: 1, enable: value }).enable).toBe(
      expected,
    );
  });

  it('defaults apply only when absent', () => {
    expect(parseParams('set_group_ban', { group_id: 1, user_id: 2 }).duration).toBe(1800);
    expect(parseParams('set_group_ban', { group_id: 1, user_id: 2, duration: 0 }).duration).toBe(0);
  });

  it('strings accept numbers', () => {
    expect(parseParams('set_group_card', { card: 123 }).card).toBe('123');
  });

  it('unknown parameters are ignored', () => {
    expect(parseParams('get_group_list', { whatever: 1 })).toEqual({ no_cache: false });
  });

  it('non-object params read as empty', () => {
    expect(parseParams('get_group_info', null).group_id).toBe(0);
    expect(parseParams('get_group_info', [1, 2]).group_id).toBe(0);
  });
});

describe('parameter aliases', () => {
  it('[message_id,id]: message_id wins, id is the fallback', () => {
    expect(parseParams('get_msg', { id: 5 }).message_id).toBe(5);
    expect(parseParams('get_msg', { message_id: 6, id: 5 }).message_id).toBe(6);
  });
  it('[sub_type,type]', () => {
    expect(parseParams('set_group_add_request', { type: 'invite' }).sub_type).toBe('invite');
    expect(parseParams('set_group_add_request', { sub_type: 'add', type: 'invite' }).sub_type).toBe(
      'add',
    );
  });
  it('[user_id,id] for delete_friend, [busid,bus_id], [anonymous_flag,flag]', () => {
    expect(parseParams('delete_friend', { id: '42' }).user_id).toBe(42);
    expect(parseParams('delete_group_file', { bus_id: 102 }).busid).toBe(102);
    expect(parseParams('set_group_anonymous_ban', { flag: 'x|y' }).anonymous_flag).toBe('x|y');
  });
});

describe('message parameters', () => {
  it('a CQ string becomes segments at the edge', () => {
    const p = parseParams('send_group_msg', { group_id: '1', message: 'hi[CQ:at,qq=2]' });
    expect(p.message).toEqual([
      { type: 'text', data: { text: 'hi' } },
      { type: 'at', data: { qq: '2' } },
    ]);
  });
  it('auto_escape from a query string keeps CQ text literal', () => {
    const p = parseParams('send_group_msg', {
      group_id: '1',
      message: '[CQ:at,qq=2]',
      auto_escape: 'true',
    });
    expect(p.message).toEqual([{ type: 'text', data: { text: '[CQ:at,qq=2]' } }]);
  });
  it('a missing message is empty', () => {
    expect(parseParams('send_group_msg', { group_id: 1 }).message).toEqual([]);
  });
  it('a number is not a message', () => {
    expect(() => parseParams('send_group_msg', { group_id: 1, message: 5 })).toThrowError(
      OneBotError,
    );
  });
  it('forward nodes accept one node or a list', () => {
    const node = { type: 'node', data: { id: '1' } };
    expect(parseParams('send_group_forward_msg', { messages: node }).messages).toEqual([node]);
    expect(parseParams('send_group_forward_msg', { messages: [node, node] }).messages).toHaveLength(
      2,
    );
  });
});
