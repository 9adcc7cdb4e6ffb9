/** The account itself, its friends and other users (reference §1.4 "Information", §1.5, NT). */
import { fail } from '@cqfleet/onebot';
import type { SimUser } from '@cqfleet/sim-client';
import type { SessionHandlers } from '../actions/context.js';
import { asFailure, driverOp } from '../actions/helpers.js';
import { accountNtHandlers } from './account-nt.js';

function strangerInfo(u: SimUser) {
  return {
    user_id: u.user_id,
    nickname: u.nickname,
    qid: u.qid,
    sex: u.sex,
    sign: u.sign,
    age: u.age,
    level: u.level,
    login_days: u.login_days,
    vip_level: u.vip_level,
  };
}

export const accountHandlers = {
  get_login_info: async (_p, { qq }) => {
    const self = await qq.self();
    return { user_id: self.user_id, nickname: self.nickname };
  },
  /** go-cqhttp's fields, and NapCat's `long_nick` and online `status` (as the caller sees it). */
  get_stranger_info: (p, { qq }) =>
    asFailure('SUMMARY_API_ERROR', async () => {
      const user = await qq.call('get_user', { user_id: p.user_id });
      const status = await qq.call('get_user_status', { user_id: p.user_id });
      return {
        ...strangerInfo(user),
        long_nick: user.sign,
        status: status.status,
        ext_status: status.ext_status,
      };
    }),
  get_friend_list: async (_p, { qq }) =>
    (await qq.call('get_friends', {})).map(f => ({
      nickname: f.nickname,
      remark: f.remark,
      user_id: f.user_id,
    })),
  get_unidirectional_friend_list: (_p, { qq }) =>
    asFailure('API_ERROR', async () =>
      (await qq.call('get_unidirectional_friends', {})).map(f => ({
        nickname: f.nickname,
        user_id: f.user_id,
        source: f.source,
      })),
    ),
  delete_friend: driverOp('delete_friend', p => ({ user_id: p.user_id })),
  delete_unidirectional_friend: driverOp('delete_unidirectional_friend', p => ({
    user_id: p.user_id,
  })),
  set_friend_add_request: driverOp('handle_friend_request', p => ({
    flag: p.flag,
    approve: p.approve,
    remark: p.remark,
  })),
  send_like: driverOp('send_like', p => ({ user_id: p.user_id, times: p.times })),
  friend_poke: driverOp('poke', p => ({ user_id: p.user_id })),
  _get_vip_info: (p, { qq }) =>
    asFailure('API_ERROR', () => qq.call('get_vip_info', { user_id: p.user_id })),
  /** Only the fields given change; the nickname is seen everywhere at once. */
  set_qq_profile: async (p, { qq }) => {
    const changes = Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined));
    await qq.call('set_profile', changes);
    await qq.refreshSelf();
    return null;
  },
  fetch_custom_face: (p, { qq }) => qq.call('get_custom_faces', { count: p.count }),
  get_online_clients: (_p, { qq }) =>
    asFailure('REFRESH_STATUS_ERROR', async () => ({
      clients: await qq.call('get_online_clients', {}),
    })),
  _get_model_show: (p, { qq }) =>
    asFailure('GET_MODEL_SHOW_API_ERROR', async () => ({
      variants: await qq.call('get_model_show', { model: p.model }),
    })),
  _set_model_show: (p, { qq }) =>
    asFailure(
      'SET_MODEL_SHOW_API_ERROR',
      async () => (
        await qq.call('set_model_show', { model: p.model, model_show: p.model_show }),
        null
      ),
    ),
  /** Ordinary accounts are not on the QiDian protocol, exactly as go-cqhttp reports. */
  qidian_get_account_info: async () => fail('QIDIAN_PROTOCOL_REQUEST'),
  get_cookies: async (p, { qq }) => ({
    cookies: (await qq.call('get_cookies', { domain: p.domain })).cookies,
  }),
  get_csrf_token: async (_p, { qq }) => ({
    token: (await qq.call('get_cookies', { domain: '' })).csrf_token,
  }),
  get_credentials: (p, { qq }) => qq.call('get_cookies', { domain: p.domain }),
  /** 1 safe, 2 unknown (also on any failure, as go-cqhttp), 3 dangerous. */
  check_url_safely: async (p, { qq }) =>
    qq.call('check_url', { url: p.url }).catch(() => ({ level: 2 })),
  ...accountNtHandlers,
} satisfies SessionHandlers;
