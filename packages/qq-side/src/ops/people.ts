/** The QQ side's operations on people: friends, profiles, requests, devices, cookies. */
import { z } from 'zod';
import { Device, Friend, UnidirectionalFriend, User, VipInfo } from '../models.js';
import { type OpSpec, none, ok, op } from '../op.js';
import { flag, int, optInt, text } from '../wire.js';

export const peopleOps = {
  get_friends: op(none, z.array(Friend)),
  get_unidirectional_friends: op(none, z.array(UnidirectionalFriend)),
  delete_friend: op(z.object({ user_id: int }), ok),
  delete_unidirectional_friend: op(z.object({ user_id: int }), ok),
  get_user: op(z.object({ user_id: int }), User),
  get_vip_info: op(z.object({ user_id: int }), VipInfo),
  send_like: op(z.object({ user_id: int, times: int }), ok),
  poke: op(z.object({ user_id: int, group_id: optInt }), ok),
  set_profile: op(
    z.object({
      nickname: z.string().optional(),
      company: z.string().optional(),
      email: z.string().optional(),
      college: z.string().optional(),
      personal_note: z.string().optional(),
    }),
    ok,
  ),
  handle_friend_request: op(z.object({ flag: text, approve: flag, remark: text }), ok),
  get_online_clients: op(none, z.array(Device)),
  get_model_show: op(
    z.object({ model: text }),
    z.array(z.object({ model_show: z.string(), need_pay: z.boolean() })),
  ),
  set_model_show: op(z.object({ model: text, model_show: text }), ok),
  get_cookies: op(
    z.object({ domain: text }),
    z.object({ cookies: z.string(), csrf_token: z.number() }),
  ),
  check_url: op(z.object({ url: text }), z.object({ level: z.number() })),
  get_custom_faces: op(z.object({ count: int }), z.array(z.string())),
} satisfies Record<string, OpSpec>;
