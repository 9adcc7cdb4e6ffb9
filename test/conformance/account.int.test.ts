/**
 * Conformance: the account, its friends, users, status and the small services (and the NT-era
 * ones, in NapCat's and LLOneBot's shapes); group and private files; guilds. Through the
 * gateway, with go-cqhttp's shapes and failure tags.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SimControl } from '@cqfleet/sim-client';
import {
  expectEvent,
  expectFailure,
  expectOk,
  type OneBotHttp,
  OneBotWs,
  startDemoWorld,
  startFileServer,
  type TestCluster,
  waitFor,
} from '@cqfleet/testkit';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let cluster: TestCluster;
let alpha: OneBotHttp;
let beta: OneBotHttp;
let wsA: OneBotWs;
let wsB: OneBotWs;
let sim: SimControl;
let close: () => Promise<void>;
let uploads: string;

beforeAll(async () => {
  ({ cluster, alpha, beta, wsA, wsB, sim, close } = await startDemoWorld());
  uploads = join(cluster.options.cacheDir!, 'uploads');
  await mkdir(uploads, { recursive: true });
});

afterAll(() => close?.());

describe('the account and its friends', () => {
  it('get_login_info, get_stranger_info, get_friend_list', async () => {
    expect(await expectOk(alpha, 'get_login_info')).toEqual({
      user_id: 10001,
      nickname: 'Fleet Alpha',
    });
    expect(await expectOk(alpha, 'get_stranger_info', { user_id: 20001 })).toMatchObject({
      user_id: 20001,
      nickname: 'Alice',
      sex: 'female',
      age: 24,
      level: 45,
    });
    await expectFailure(alpha, 'get_stranger_info', { user_id: 1 }, 'SUMMARY_API_ERROR');
    const friends = await expectOk<Array<{ user_id: number }>>(alpha, 'get_friend_list');
    expect(friends.map(f => f.user_id).sort()).toEqual([10002, 20001, 20002, 20003]);
  });

  it('unidirectional friends: list and delete', async () => {
    expect(await expectOk(alpha, 'get_unidirectional_friend_list')).toEqual([
      { nickname: 'Erin', user_id: 20005, source: expect.any(String) },
    ]);
    await expectOk(alpha, 'delete_unidirectional_friend', { user_id: 20005 });
    expect(await expectOk(alpha, 'get_unidirectional_friend_list')).toEqual([]);
    await expectFailure(
      alpha,
      'delete_unidirectional_friend',
      { user_id: 20005 },
      'FRIEND_NOT_FOUND',
    );
  });

  it('friend requests: request/friend, approve → friend_add, flag once; delete_friend by user_id or id', async () => {
    const flag = await sim.requestFriend(20006, 10002, 'be my friend');
    await expectEvent(
      wsB,
      'request.friend',
      e => e.flag === flag && e.user_id === 20006 && e.comment === 'be my friend',
    );
    await expectOk(beta, 'set_friend_add_request', { flag, approve: 'true', remark: 'frank' });
    await expectEvent(wsB, 'notice.friend_add', e => e.user_id === 20006);
    await expectFailure(beta, 'set_friend_add_request', { flag }, 'FLAG_HAS_BEEN_CHECKED');
    await expectOk(beta, 'delete_friend', { id: 20006 });
    await expectFailure(beta, 'delete_friend', { user_id: 20006 }, 'FRIEND_NOT_FOUND');
  });

  it('send_like (10 a day), friend_poke, _get_vip_info', async () => {
    expect(await expectOk(alpha, 'send_like', { user_id: 20001, times: 10 })).toBeNull();
    await expectFailure(alpha, 'send_like', { user_id: 20001 }, 'API_ERROR');
    await expectOk(alpha, 'friend_poke', { user_id: 10002 });
    await expectEvent(
      wsB,
      'notice.notify.poke',
      e => e.group_id === undefined && e.user_id === 10001 && e.target_id === 10002,
    );
    expect(await expectOk(alpha, '_get_vip_info', { user_id: 20002 })).toMatchObject({
      user_id: 20002,
      nickname: 'Bob',
      level: 60,
    });
  });

  it('set_qq_profile changes only what is given', async () => {
    await expectOk(beta, 'set_qq_profile', { nickname: 'Beta Prime', personal_note: 'hello' });
    expect(await expectOk(beta, 'get_login_info')).toEqual({
      user_id: 10002,
      nickname: 'Beta Prime',
    });
    expect(await expectOk(alpha, 'get_stranger_info', { user_id: 10002 })).toMatchObject({
      nickname: 'Beta Prime',
      sign: 'hello',
    });
  });

  it('online clients and client_status', async () => {
    expect(await expectOk(alpha, 'get_online_clients', { no_cache: true })).toEqual({
      clients: [{ app_id: 537151682, device_name: "Alpha's iPad", device_kind: 'iPad' }],
    });
    await sim.device(10001, { app_id: 1, device_name: 'Alpha PC', device_kind: 'Windows' }, true);
    await expectEvent(
      wsA,
      'notice.client_status',
      e => e.online === true && (e.client as { device_name: string }).device_name === 'Alpha PC',
    );
  });

  it('model show, custom faces, qidian', async () => {
    const show = await expectOk<{ variants: unknown[] }>(alpha, '_get_model_show', {
      model: 'iPhone',
    });
    expect(show.variants[0]).toEqual({ model_show: 'iPhone', need_pay: false });
    expect(
      await expectOk(alpha, '_set_model_show', { model: 'iPhone', model_show: 'iPhone 99' }),
    ).toBeNull();
    expect(await expectOk<string[]>(alpha, 'fetch_custom_face', { count: 2 })).toHaveLength(2);
    await expectFailure(alpha, 'qidian_get_account_info', {}, 'QIDIAN_PROTOCOL_REQUEST');
  });

  it('cookies, csrf token and credentials agree', async () => {
    const { cookies } = await expectOk<{ cookies: string }>(alpha, 'get_cookies', {
      domain: 'qun.qq.com',
    });
    expect(cookies).toMatch(/uin=o10001; skey=@\S+; p_uin=o10001; p_skey=\S+/);
    const { token } = await expectOk<{ token: number }>(alpha, 'get_csrf_token');
    expect(await expectOk(alpha, 'get_credentials', { domain: 'qun.qq.com' })).toEqual({
      cookies,
      csrf_token: token,
    });
  });

  it('check_url_safely: 1 safe, 2 unknown, 3 dangerous', async () => {
    expect(await expectOk(alpha, 'check_url_safely', { url: 'https://example.com/x' })).toEqual({
      level: 1,
    });
    expect(await expectOk(alpha, 'check_url_safely', { url: 'not a url' })).toEqual({ level: 2 });
    expect(await expectOk(alpha, 'check_url_safely', { url: 'http://a.malware.example/' })).toEqual(
      { level: 3 },
    );
  });
});

describe('NT-era: the account (issue 17)', () => {
  const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
  const png = (background: string) =>
    sharp({ create: { width: 4, height: 4, channels: 3, background } })
      .png()
      .toBuffer();
  const bytesAt = async (url: string) => Buffer.from(await (await fetch(url)).arrayBuffer());

  it('set_qq_avatar from base64://, a path and file:// under the roots, http://; get_qq_avatar', async () => {
    expect(
      (await expectOk<{ url: string }>(alpha, 'get_qq_avatar', { user_id: 10002 })).url,
    ).toContain('qlogo.cn');
    await expectFailure(alpha, 'get_qq_avatar', {}, 'INVALID_PARAMS');
    const [a, b, c, d] = await Promise.all(['#c00', '#0c0', '#00c', '#cc0'].map(png));
    const files = await startFileServer({ '/d.png': d! });
    try {
      const path = join(uploads, 'avatar-b.png');
      await writeFile(path, b!);
      await writeFile(join(uploads, 'avatar-c.png'), c!);
      const sources: Array<[string, Buffer]> = [
        [`base64://${a!.toString('base64')}`, a!],
        [path, b!],
        [pathToFileURL(join(uploads, 'avatar-c.png')).href, c!],
        [files.url('/d.png'), d!],
      ];
      for (const [file, bytes] of sources) {
        expect(await expectOk(beta, 'set_qq_avatar', { file })).toBeNull();
        const { url } = await expectOk<{ url: string }>(alpha, 'get_qq_avatar', { user_id: 10002 });
        expect(url).toMatch(new RegExp(`/media/image/${md5(bytes)}\\.image$`));
        expect(Buffer.compare(await bytesAt(url), bytes)).toBe(0);
      }
    } finally {
      await files.close();
    }
    await expectFailure(beta, 'set_qq_avatar', { file: 'file:///etc/hostname' }, 'LOAD_FILE_ERROR');
    expect(
      (await expectOk<{ url: string }>(alpha, 'get_qq_avatar', { group_id: 100100 })).url,
    ).toContain('100100');
  });

  it('set_self_longnick shows in get_stranger_info; online and custom statuses in status reads', async () => {
    expect(await expectOk(beta, 'set_self_longnick', { longNick: 'at sea' })).toEqual({
      result: 0,
      errMsg: '',
    });
    expect(await expectOk(alpha, 'get_stranger_info', { user_id: 10002 })).toMatchObject({
      sign: 'at sea',
      long_nick: 'at sea',
      status: 10,
    });
    await expectFailure(
      beta,
      'set_online_status',
      { status: 12, ext_status: 0, battery_status: 50 },
      'API_ERROR',
    );
    expect(
      await expectOk(beta, 'set_online_status', { status: 40, ext_status: 0, battery_status: 90 }),
    ).toBeNull();
    // Invisible: offline to others, not to itself; not counted online in alpha's category.
    expect(await expectOk(alpha, 'get_stranger_info', { user_id: 10002 })).toMatchObject({
      status: 0,
    });
    expect(await expectOk(beta, 'get_stranger_info', { user_id: 10002 })).toMatchObject({
      status: 40,
    });
    const [mine] = await expectOk<Array<{ onlineCount: number; buddyList: unknown[] }>>(
      alpha,
      'get_friends_with_category',
    );
    expect(mine!.onlineCount).toBe(mine!.buddyList.length - 1);
    expect(await expectOk(beta, 'set_diy_online_status', { face_id: 21, wording: 'sailing' })).toBe(
      '',
    );
    expect(await expectOk(alpha, 'get_stranger_info', { user_id: 10002 })).toMatchObject({
      status: 10,
      ext_status: 2000,
    });
  });

  it('set_friend_remark, set_friend_category: get_friend_list and both category lists show them', async () => {
    await expectOk(alpha, 'set_friend_remark', { user_id: 10002, remark: 'beta bot' });
    const friends = await expectOk<Array<{ user_id: number; remark: string }>>(
      alpha,
      'get_friend_list',
    );
    expect(friends.find(f => f.user_id === 10002)?.remark).toBe('beta bot');
    await expectOk(alpha, 'set_friend_category', { user_id: 10002, category_id: 1 });
    type Category = {
      categoryId: number;
      categoryName: string;
      buddyList: Array<{ user_id: number; remark: string }>;
    };
    const categories = await expectOk<Category[]>(alpha, 'get_friends_with_category');
    expect(categories.map(c => c.categoryId)).toEqual([0, 1, 2, 3]);
    expect(categories[1]).toMatchObject({
      categoryName: '朋友',
      buddyList: [expect.objectContaining({ user_id: 10002, remark: 'beta bot' })],
    });
    expect(await expectOk(alpha, 'get_friend_with_category')).toEqual(categories);
    await expectFailure(
      alpha,
      'set_friend_category',
      { user_id: 10002, category_id: 7 },
      'API_ERROR',
    );
    await expectFailure(
      alpha,
      'set_friend_remark',
      { user_id: 20006, remark: 'x' },
      'FRIEND_NOT_FOUND',
    );
  });

  it('set_input_status raises notify/input_status at the friend, and only a friend', async () => {
    expect(await expectOk(alpha, 'set_input_status', { user_id: 10002, event_type: 1 })).toEqual({
      result: 0,
      errMsg: '',
    });
    await expectEvent(
      wsB,
      'notice.notify.input_status',
      e => e.user_id === 10001 && e.event_type === 1 && e.status_text === '对方正在输入...',
    );
    await expectFailure(
      alpha,
      'set_input_status',
      { user_id: 20006, event_type: 1 },
      'FRIEND_NOT_FOUND',
    );
  });

  it('send_like by an account or a person raises notify/profile_like; both like lists show it', async () => {
    await expectOk(alpha, 'send_like', { user_id: 10002, times: 2 });
    await expectEvent(
      wsB,
      'notice.notify.profile_like',
      e => e.operator_id === 10001 && e.operator_nick === 'Fleet Alpha' && e.times === 2,
    );
    await sim.act(20003, 'send_like', { user_id: 10002, times: 1 });
    await expectEvent(
      wsB,
      'notice.notify.profile_like',
      e => e.operator_id === 20003 && e.operator_nick === 'Carol' && e.times === 1,
    );
    type Liker = { uin: number; nick: string; count: number; bTodayVotedCnt: number };
    const me = await expectOk<{ users: Liker[]; nextStart: number }>(beta, 'get_profile_like_me');
    expect(me.nextStart).toBe(-1);
    expect(me.users.map(u => [u.uin, u.count]).sort()).toEqual([
      [10001, 2],
      [20003, 1],
    ]);
    const liked = await expectOk<{
      voteInfo: { total_count: number; userInfos: Liker[] };
      favoriteInfo: { userInfos: Liker[] };
    }>(beta, 'get_profile_like');
    expect(liked.voteInfo.total_count).toBe(3);
    expect(liked.favoriteInfo.userInfos).toEqual([]);
    const given = await expectOk<{ favoriteInfo: { userInfos: Liker[] }; users: Liker[] }>(
      alpha,
      'get_profile_like',
      { count: 30 },
    );
    expect(given.favoriteInfo.userInfos.map(u => u.uin).sort()).toEqual([10002, 20001]);
    expect(given.users).toEqual(given.favoriteInfo.userInfos);
    const page = await expectOk<{ voteInfo: { userInfos: Liker[] }; nextStart: number }>(
      alpha,
      'get_profile_like',
      { user_id: 10002, start: 0, count: 1 },
    );
    expect(page.voteInfo.userInfos).toHaveLength(1);
    expect(page.nextStart).toBe(1);
  });

  it('a friend request with a link is filed as doubtful: listed, approved once → friend_add', async () => {
    const comment = 'add me: https://spam.example/x';
    const flag = await sim.requestFriend(20005, 10002, comment);
    expect(await expectOk(beta, 'get_doubt_friends_add_request')).toEqual([
      expect.objectContaining({
        flag,
        uin: '20005',
        nick: 'Erin',
        msg: comment,
        group_code: '100100',
        type: 'doubt',
      }),
    ]);
    expect(await expectOk(beta, 'set_doubt_friends_add_request', { flag })).toBeNull();
    await expectEvent(wsB, 'notice.friend_add', e => e.user_id === 20005);
    const friends = await expectOk<Array<{ user_id: number }>>(beta, 'get_friend_list');
    expect(friends.map(f => f.user_id)).toContain(20005);
    expect(await expectOk(beta, 'get_doubt_friends_add_request')).toEqual([]);
    await expectFailure(beta, 'set_doubt_friends_add_request', { flag }, 'FLAG_HAS_BEEN_CHECKED');
  });

  it('simulated values: translate_en2zh, get_rkey, get_clientkey, get_robot_uin_range, get_recommend_face', async () => {
    expect(
      await expectOk(alpha, 'translate_en2zh', { words: ['hello', 'group message', 'zyzzyva'] }),
    ).toEqual(['你好', '群组消息', 'zyzzyva']);
    const keys = await expectOk<Array<{ type: string; rkey: string; ttl: string }>>(
      alpha,
      'get_rkey',
    );
    expect(keys.map(k => k.type)).toEqual(['private', 'group']);
    expect(keys.every(k => k.rkey.startsWith('&rkey=') && k.ttl === '3600')).toBe(true);
    const { clientkey } = await expectOk<{ clientkey: string }>(alpha, 'get_clientkey');
    expect(clientkey).toMatch(/^[0-9A-F]{64}$/);
    expect((await expectOk<{ clientkey: string }>(beta, 'get_clientkey')).clientkey).not.toBe(
      clientkey,
    );
    expect(await expectOk(alpha, 'get_robot_uin_range')).toContainEqual({
      minUin: '2854196301',
      maxUin: '2854216399',
    });
    const faces = await expectOk<{ url: string[] }>(alpha, 'get_recommend_face', { word: 'cat' });
    expect(faces.url.length).toBeGreaterThanOrEqual(3);
    expect((await fetch(faces.url[0]!)).status).toBe(200);
    expect(await expectOk(beta, 'get_recommend_face', { word: 'cat' })).toEqual(faces);
  });

  it('ark cards: ArkSharePeer, send_ark_share, ArkShareGroup, send_group_ark_share, get_mini_app_ark', async () => {
    type Card = { errCode: number; errMsg: string; arkJson: string };
    const peer = await expectOk<Card>(alpha, 'ArkSharePeer', { user_id: 20001 });
    expect(peer).toMatchObject({ errCode: 0, errMsg: '' });
    expect(JSON.parse(peer.arkJson)).toMatchObject({
      app: 'com.tencent.contact.lua',
      meta: { contact: { nickname: 'Alice', tag: '推荐联系人' } },
    });
    const group = await expectOk<Card>(alpha, 'send_ark_share', { group_id: 100100 });
    expect(JSON.parse(group.arkJson).prompt).toContain('cqfleet demo');
    await expectFailure(alpha, 'send_ark_share', {}, 'INVALID_PARAMS');
    const share = await expectOk<string>(alpha, 'ArkShareGroup', { group_id: '100100' });
    expect(JSON.parse(share)).toMatchObject({ meta: { contact: { tag: '推荐群聊' } } });
    expect(
      JSON.parse(await expectOk<string>(beta, 'send_group_ark_share', { group_id: 100200 })),
    ).toMatchObject({ meta: { contact: { nickname: 'cqfleet ops' } } });
    await expectFailure(alpha, 'send_group_ark_share', { group_id: 100200 }, 'GROUP_NOT_FOUND');
    const card = { title: 'a day', desc: 'vlog', picUrl: 'http://p/x.jpg', jumpUrl: 'pages/v' };
    const ark = await expectOk<{ data: { app: string; meta: { detail_1: { appid: string } } } }>(
      alpha,
      'get_mini_app_ark',
      { type: 'bili', ...card },
    );
    expect(ark.data.app).toBe('com.tencent.miniapp_01');
    expect(ark.data.meta.detail_1.appid).toBe('1109937557');
    const raw = await expectOk<{ data: { appName: string } }>(alpha, 'get_mini_app_ark', {
      type: 'weibo',
      rawArkData: true,
      ...card,
    });
    expect(raw.data.appName).toBe('com.tencent.miniapp_01');
    await expectFailure(alpha, 'get_mini_app_ark', card, 'INVALID_PARAMS');
    // A card is a message: it arrives as a json segment.
    await expectOk(alpha, 'send_private_msg', {
      user_id: 10002,
      message: [{ type: 'json', data: { data: peer.arkJson } }],
    });
    await expectEvent(wsB, 'message.private.friend', e =>
      JSON.stringify(e.message).includes('com.tencent.contact.lua'),
    );
  });
});

describe('status and transport-level actions', () => {
  it('get_status has real counters; get_version_info is go-cqhttp-shaped', async () => {
    const before = await expectOk<{ stat: { message_sent: number; packet_sent: number } }>(
      alpha,
      'get_status',
    );
    await expectOk(alpha, 'send_group_msg', { group_id: 100100, message: 'count me' });
    const after = await expectOk<{
      online: boolean;
      good: boolean;
      stat: { message_sent: number; packet_sent: number };
    }>(alpha, 'get_status');
    expect(after).toMatchObject({ online: true, good: true });
    expect(after.stat.message_sent).toBe(before.stat.message_sent + 1);
    expect(after.stat.packet_sent).toBeGreaterThan(before.stat.packet_sent);
    expect(await expectOk(alpha, 'get_version_info')).toMatchObject({
      app_name: 'cqfleet',
      protocol_version: 'v11',
      go_cqhttp: true,
      protocol_name: 6,
    });
  });

  it('set_restart reconnects the account: disconnect_times grows and it comes back', async () => {
    const before = await expectOk<{ stat: { disconnect_times: number } }>(beta, 'get_status');
    expect(await expectOk(beta, 'set_restart', { delay: 0 })).toBeNull();
    const after = await waitFor(
      async () => {
        const s = await beta.call<{ online: boolean; stat: { disconnect_times: number } }>(
          'get_status',
        );
        return s.status === 'ok' &&
          s.data.online &&
          s.data.stat.disconnect_times > before.stat.disconnect_times
          ? s.data
          : undefined;
      },
      10_000,
      'reconnected',
    );
    expect(after.online).toBe(true);
  });

  it('get_supported_actions is every ready action of the table', async () => {
    const list = await expectOk<string[]>(alpha, 'get_supported_actions');
    expect(list).toEqual(
      expect.arrayContaining(['send_group_msg', 'get_msg', '.handle_quick_operation', 'ocr_image']),
    );
    expect(list).not.toContain('no_such_action');
  });

  it('a forward WebSocket starts with meta_event/lifecycle/connect', async () => {
    const ws = await OneBotWs.connect(`${cluster.wsUrl}/10002/event`);
    const connect = await expectEvent(ws, 'meta_event.lifecycle.connect');
    expect(connect).toMatchObject({ self_id: 10002, _post_method: 2 });
    await ws.close();
  });

  it('can_send_image / can_send_record / unknown actions', async () => {
    expect(await expectOk(alpha, 'can_send_image')).toEqual({ yes: true });
    expect(await expectOk(alpha, 'can_send_record')).toEqual({ yes: true });
    await expectFailure(alpha, 'definitely_not_an_action', {}, 'API_NOT_FOUND', 404);
  });
});

describe('files', () => {
  it('group files: upload → group_upload, list, url, folders, deletes fail with retcode 200', async () => {
    const path = join(uploads, 'report.txt');
    await writeFile(path, 'quarterly numbers');
    await expectOk(alpha, 'create_group_file_folder', { group_id: 100100, name: 'docs' });
    const root = await expectOk<{ folders: Array<{ folder_id: string; folder_name: string }> }>(
      beta,
      'get_group_root_files',
      { group_id: 100100 },
    );
    const folder = root.folders.find(f => f.folder_name === 'docs')!;
    await expectOk(alpha, 'upload_group_file', {
      group_id: 100100,
      file: path,
      name: 'report.txt',
      folder: folder.folder_id,
    });
    const up = await expectEvent(
      wsB,
      'notice.group_upload',
      e => (e.file as { name: string }).name === 'report.txt',
    );
    expect(up).toMatchObject({ group_id: 100100, user_id: 10001, file: { size: 17, busid: 102 } });
    const inFolder = await expectOk<{
      files: Array<{ file_id: string; busid: number; file_size: number }>;
    }>(beta, 'get_group_files_by_folder', { group_id: 100100, folder_id: folder.folder_id });
    const file = inFolder.files[0]!;
    expect(file).toMatchObject({ file_size: 17, uploader: 10001, dead_time: 0 });
    expect(
      await expectOk(beta, 'get_group_file_url', {
        group_id: 100100,
        file_id: file.file_id,
        bus_id: file.busid,
      }),
    ).toEqual({ url: expect.stringContaining('/media/file/') });
    expect(await expectOk(beta, 'get_group_file_system_info', { group_id: 100100 })).toMatchObject({
      file_count: 1,
      used_space: 17,
      group_id: 100100,
    });
    await expectFailure(
      beta,
      'delete_group_file',
      { group_id: 100100, file_id: file.file_id, busid: 102 },
      'FILE_SYSTEM_DELETE_API_ERROR',
      200,
    );
    await expectOk(alpha, 'delete_group_file', {
      group_id: 100100,
      file_id: file.file_id,
      busid: 102,
    });
    await expectFailure(
      alpha,
      'delete_group_folder',
      { group_id: 100100, folder_id: '/nope' },
      'FILE_SYSTEM_DELETE_API_ERROR',
      200,
    );
    await expectOk(alpha, 'delete_group_folder', { group_id: 100100, folder_id: folder.folder_id });
    expect(await expectOk(beta, 'get_group_root_files', { group_id: 100100 })).toEqual({
      files: null,
      folders: null,
    });
  });

  it('only files under the configured roots can be uploaded', async () => {
    await expectFailure(
      alpha,
      'upload_group_file',
      { group_id: 100100, file: '/etc/passwd' },
      'FILE_NOT_FOUND',
    );
    await expectFailure(
      alpha,
      'upload_group_file',
      { group_id: 100100, file: `${uploads}/../../../../etc/passwd` },
      'FILE_NOT_FOUND',
    );
    await expectFailure(
      alpha,
      'upload_private_file',
      { user_id: 10002, file: 'file:///etc/hostname' },
      'OPEN_FILE_ERROR',
    );
  });

  it('private files arrive as offline_file', async () => {
    const path = join(uploads, 'note.txt');
    await writeFile(path, 'hi');
    await expectOk(alpha, 'upload_private_file', {
      user_id: 10002,
      file: `file://${path}`,
      name: 'note.txt',
    });
    const ev = await expectEvent(wsB, 'notice.offline_file', e => e.user_id === 10001);
    expect(ev.file).toMatchObject({ name: 'note.txt', size: 2 });
  });
});

describe('guilds', () => {
  it('profile, guilds, channels, members, roles, messages', async () => {
    expect(await expectOk(alpha, 'get_guild_service_profile')).toMatchObject({
      nickname: 'Fleet Alpha',
      tiny_id: expect.stringMatching(/^\d+$/),
    });
    const [guild] = await expectOk<Array<{ guild_id: string }>>(alpha, 'get_guild_list');
    expect(guild).toMatchObject({ guild_id: '7000000001', guild_name: 'cqfleet guild' });
    expect(
      await expectOk(alpha, 'get_guild_meta_by_guest', { guild_id: '7000000001' }),
    ).toMatchObject({ member_count: 4 });
    const channels = await expectOk<Array<{ channel_id: string }>>(
      alpha,
      'get_guild_channel_list',
      { guild_id: '7000000001' },
    );
    expect(channels.map(c => c.channel_id)).toEqual(['9000001', '9000002']);
    const members = await expectOk<{ members: Array<{ tiny_id: string }> }>(
      alpha,
      'get_guild_member_list',
      { guild_id: '7000000001' },
    );
    expect(
      await expectOk(alpha, 'get_guild_member_profile', {
        guild_id: '7000000001',
        user_id: members.members[1]!.tiny_id,
      }),
    ).toMatchObject({ nickname: 'Fleet Beta' });
    const { role_id } = await expectOk<{ role_id: string }>(alpha, 'create_guild_role', {
      guild_id: '7000000001',
      name: 'bots',
      color: 123,
    });
    await expectOk(alpha, 'update_guild_role', {
      guild_id: '7000000001',
      role_id,
      name: 'robots',
      color: 1,
      indepedent: true,
    });
    await expectOk(alpha, 'set_guild_member_role', {
      guild_id: '7000000001',
      role_id,
      set: true,
      users: [members.members[1]!.tiny_id],
    });
    expect(
      (
        await expectOk<Array<{ role_name: string }>>(alpha, 'get_guild_roles', {
          guild_id: '7000000001',
        })
      ).map(r => r.role_name),
    ).toContain('robots');
    await expectOk(alpha, 'delete_guild_role', { guild_id: '7000000001', role_id });
    expect(
      await expectOk(alpha, 'get_topic_channel_feeds', {
        guild_id: '7000000001',
        channel_id: '9000001',
      }),
    ).toEqual([]);
    const { message_id } = await expectOk<{ message_id: string }>(alpha, 'send_guild_channel_msg', {
      guild_id: '7000000001',
      channel_id: '9000002',
      message: 'hello guild',
    });
    expect(await expectOk(alpha, 'get_guild_msg', { message_id })).toMatchObject({
      message_id,
      channel_id: '9000002',
      message: 'hello guild',
    });
    await expectFailure(alpha, 'get_guild_channel_list', { guild_id: '1' }, 'GUILD_NOT_MATCH');
  });
});

describe('fault injection (simulator control API)', () => {
  it('risk control refuses sends; a dropped connection comes back and is counted', async () => {
    await sim.faults(10002, { refuse_sends: true });
    await expectFailure(
      beta,
      'send_group_msg',
      { group_id: 100100, message: 'refused' },
      'SEND_MSG_API_ERROR',
    );
    await sim.faults(10002, { refuse_sends: false });
    await expectOk(beta, 'send_group_msg', { group_id: 100100, message: 'allowed again' });

    const before = await expectOk<{ stat: { lost_times: number } }>(beta, 'get_status');
    expect(await sim.drop(10002)).toBe(true);
    const after = await waitFor(
      async () => {
        const s = await beta.call<{ online: boolean; stat: { lost_times: number } }>('get_status');
        return s.status === 'ok' && s.data.online && s.data.stat.lost_times > before.stat.lost_times
          ? s.data
          : undefined;
      },
      10_000,
      'back online',
    );
    expect(after.stat.lost_times).toBe(before.stat.lost_times + 1);
  });

  it('a delayed account answers later, not wrongly', async () => {
    await sim.faults(10002, { delay_ms: 300 });
    const started = Date.now();
    expect(await expectOk(beta, 'get_group_info', { group_id: 100100 })).toMatchObject({
      group_id: 100100,
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    await sim.faults(10002, { delay_ms: 0 });
  });

  it('logging an account out (the offline fault) raises bot_offline; cleared, it is back', async () => {
    const online = (want: boolean) => async () => {
      const s = await beta.call<{ online: boolean }>('get_status');
      return s.status === 'ok' && s.data.online === want ? true : undefined;
    };
    await sim.faults(10002, { offline: true });
    await waitFor(online(false), 10_000, 'logged out');
    await sim.faults(10002, { offline: false });
    // Heard before the line went, or at the next login at the latest.
    const offline = await expectEvent(wsB, 'notice.bot_offline', e => e.user_id === 10002, 20_000);
    expect(offline).toMatchObject({ self_id: 10002, tag: '下线通知' });
    await waitFor(online(true), 20_000, 'back online');
  });
});
