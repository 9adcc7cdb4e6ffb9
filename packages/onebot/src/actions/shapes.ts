/**
 * Result shapes shared by several actions, as go-cqhttp sends them (reference §1.4–1.5).
 * Objects are loose: cqfleet may add fields, never drop the ones listed here.
 */
import { z } from 'zod';

export const nothing = z.null();

export const segment = z.object({ type: z.string(), data: z.record(z.string(), z.string()) });
/** A `message` field in the endpoint's format: CQ string or string-valued segments. */
export const formattedMessage = z.union([z.string(), z.array(segment)]);

export const sex = z.enum(['male', 'female', 'unknown']);
export const role = z.enum(['owner', 'admin', 'member']);

export const messageIdResult = z.looseObject({ message_id: z.number().int() });
export const forwardSendResult = z.looseObject({
  message_id: z.number().int(),
  forward_id: z.string(),
});

export const groupInfo = z.looseObject({
  group_id: z.number(),
  group_name: z.string(),
  group_memo: z.string().optional(),
  group_create_time: z.number(),
  group_level: z.number(),
  member_count: z.number(),
  max_member_count: z.number(),
});

export const memberInfo = z.looseObject({
  group_id: z.number(),
  user_id: z.number(),
  nickname: z.string(),
  card: z.string(),
  sex,
  age: z.number(),
  area: z.string(),
  join_time: z.number(),
  last_sent_time: z.number(),
  level: z.string(),
  role,
  unfriendly: z.boolean(),
  title: z.string(),
  title_expire_time: z.number(),
  card_changeable: z.boolean(),
  shut_up_timestamp: z.number(),
});

export const friend = z.looseObject({
  user_id: z.number(),
  nickname: z.string(),
  remark: z.string(),
});

export const stranger = z.looseObject({
  user_id: z.number(),
  nickname: z.string(),
  qid: z.string(),
  sex,
  sign: z.string(),
  age: z.number(),
  level: z.number(),
  login_days: z.number(),
  vip_level: z.string(),
});

export const statistics = z.looseObject({
  packet_received: z.number(),
  packet_sent: z.number(),
  packet_lost: z.number(),
  message_received: z.number(),
  message_sent: z.number(),
  disconnect_times: z.number(),
  lost_times: z.number(),
  last_message_time: z.number(),
});

export const status = z.looseObject({
  app_initialized: z.boolean(),
  app_enabled: z.boolean(),
  plugins_good: z.null(),
  app_good: z.boolean(),
  online: z.boolean(),
  good: z.boolean(),
  stat: statistics,
});

/** A stored message as `get_msg` returns it. */
export const storedMessage = z.looseObject({
  message_id: z.number().int(),
  message_id_v2: z.string(),
  message_type: z.enum(['group', 'private']),
  real_id: z.number(),
  message_seq: z.number(),
  group: z.boolean(),
  group_id: z.number().optional(),
  sender: z.looseObject({ user_id: z.number(), nickname: z.string() }),
  time: z.number(),
  message: formattedMessage,
});

/** History lists return message events (with `message_id`). */
export const messageEvent = z.looseObject({
  post_type: z.string(),
  message_type: z.string(),
  time: z.number(),
  self_id: z.number(),
  message_id: z.number().int(),
  user_id: z.number(),
  message: formattedMessage,
  raw_message: z.string(),
});

export const forwardNode = z.looseObject({
  sender: z.looseObject({ user_id: z.number(), nickname: z.string() }),
  time: z.number(),
  content: z.unknown(),
  group_id: z.number().optional(),
});

export const groupFile = z.looseObject({
  group_id: z.number(),
  file_id: z.string(),
  file_name: z.string(),
  busid: z.number(),
  file_size: z.number(),
  upload_time: z.number(),
  dead_time: z.number(),
  modify_time: z.number(),
  download_times: z.number(),
  uploader: z.number(),
  uploader_name: z.string(),
});

export const groupFolder = z.looseObject({
  group_id: z.number(),
  folder_id: z.string(),
  folder_name: z.string(),
  create_time: z.number(),
  creator: z.number(),
  creator_name: z.string(),
  total_file_count: z.number(),
});

export const fileListing = z.looseObject({
  files: z.array(groupFile).nullable(),
  folders: z.array(groupFolder).nullable(),
});

export const device = z.looseObject({
  app_id: z.number(),
  device_name: z.string(),
  device_kind: z.string(),
});

export const honorItem = z.looseObject({
  user_id: z.number(),
  nickname: z.string(),
  avatar: z.string(),
  description: z.string(),
});

export const localFile = z.looseObject({ file: z.string() });

export const loose = z.looseObject({});
export const anyArray = z.array(z.unknown());
