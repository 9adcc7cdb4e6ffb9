/**
 * What the QQ side knows about people, groups, messages, files and guilds: the shapes of the
 * operations' results and of the events' parts. Field names follow go-cqhttp's results where
 * one exists, so a handler maps them with little code.
 */
import { z } from 'zod';
import { role, segments, sex } from './wire.js';

const id = z.number().int();

export const User = z.object({
  user_id: id,
  nickname: z.string(),
  sex,
  age: z.number(),
  level: z.number(),
  sign: z.string(),
  qid: z.string(),
  login_days: z.number(),
  vip_level: z.string(),
});
export type User = z.infer<typeof User>;

export const Friend = z.object({ user_id: id, nickname: z.string(), remark: z.string() });
export type Friend = z.infer<typeof Friend>;

export const UnidirectionalFriend = z.object({
  user_id: id,
  nickname: z.string(),
  source: z.string(),
});
export type UnidirectionalFriend = z.infer<typeof UnidirectionalFriend>;

export const VipInfo = z.object({
  user_id: id,
  nickname: z.string(),
  level: z.number(),
  level_speed: z.number(),
  vip_level: z.string(),
  vip_growth_speed: z.number(),
  vip_growth_total: z.number(),
});
export type VipInfo = z.infer<typeof VipInfo>;

export const Device = z.object({
  app_id: z.number(),
  device_name: z.string(),
  device_kind: z.string(),
});
export type Device = z.infer<typeof Device>;

export const Group = z.object({
  group_id: id,
  group_name: z.string(),
  group_memo: z.string(),
  group_create_time: z.number(),
  group_level: z.number(),
  member_count: z.number(),
  max_member_count: z.number(),
});
export type Group = z.infer<typeof Group>;

export const Member = z.object({
  group_id: id,
  user_id: id,
  nickname: z.string(),
  card: z.string(),
  sex,
  age: z.number(),
  area: z.string(),
  join_time: z.number(),
  last_sent_time: z.number(),
  level: z.string(),
  role,
  title: z.string(),
  title_expire_time: z.number(),
  shut_up_timestamp: z.number(),
});
export type Member = z.infer<typeof Member>;

/** Who sent a group message, as the receiving account sees it. */
export const GroupSender = z.object({
  user_id: id,
  nickname: z.string(),
  card: z.string(),
  role,
  title: z.string(),
  level: z.string(),
  sex,
  age: z.number(),
  area: z.string(),
});
export type GroupSender = z.infer<typeof GroupSender>;

export const PrivateSender = z.object({
  user_id: id,
  nickname: z.string(),
  sex,
  age: z.number(),
});
export type PrivateSender = z.infer<typeof PrivateSender>;

export const Anonymous = z.object({ id: z.number(), name: z.string(), flag: z.string() });
export type Anonymous = z.infer<typeof Anonymous>;

/** A group message as a member reads it back from the group's history. */
export const GroupHistoryMessage = z.object({
  time: z.number(),
  group_id: id,
  seq: z.number(),
  sender: GroupSender,
  anonymous: Anonymous.nullable(),
  elements: segments,
});
export type GroupHistoryMessage = z.infer<typeof GroupHistoryMessage>;

/** A message as the network keeps it (for recalls, replies, essence, forwards). */
export const StoredMessage = z.object({
  seq: z.number(),
  time: z.number(),
  sender_id: id,
  sender_name: z.string(),
  group_id: id.optional(),
  target_id: id.optional(),
  elements: segments,
  recalled: z.boolean(),
});
export type StoredMessage = z.infer<typeof StoredMessage>;

export const HonorMember = z.object({
  user_id: id,
  nickname: z.string(),
  avatar: z.string(),
  description: z.string(),
});
export type HonorMember = z.infer<typeof HonorMember>;

export const HonorInfo = z.object({
  group_id: id,
  current_talkative: z
    .object({ user_id: id, nickname: z.string(), avatar: z.string(), day_count: z.number() })
    .optional(),
  talkative_list: z.array(HonorMember),
  performer_list: z.array(HonorMember),
  legend_list: z.array(HonorMember),
  strong_newbie_list: z.array(HonorMember),
  emotion_list: z.array(HonorMember),
});
export type HonorInfo = z.infer<typeof HonorInfo>;

export const Notice = z.object({
  notice_id: z.string(),
  sender_id: id,
  publish_time: z.number(),
  message: z.object({
    text: z.string(),
    images: z.array(z.object({ height: z.string(), width: z.string(), id: z.string() })),
  }),
});
export type Notice = z.infer<typeof Notice>;

export const GroupSystemMessages = z.object({
  invited_requests: z
    .array(
      z.object({
        request_id: z.number(),
        invitor_uin: id,
        invitor_nick: z.string(),
        group_id: id,
        group_name: z.string(),
        checked: z.boolean(),
        actor: id,
      }),
    )
    .nullable(),
  join_requests: z
    .array(
      z.object({
        request_id: z.number(),
        requester_uin: id,
        requester_nick: z.string(),
        message: z.string(),
        group_id: id,
        group_name: z.string(),
        checked: z.boolean(),
        actor: id,
        suspicious: z.boolean(),
      }),
    )
    .nullable(),
});
export type GroupSystemMessages = z.infer<typeof GroupSystemMessages>;

export const Essence = z.object({
  sender_id: id,
  sender_nick: z.string(),
  sender_time: z.number(),
  operator_id: id,
  operator_nick: z.string(),
  operator_time: z.number(),
  seq: z.number(),
});
export type Essence = z.infer<typeof Essence>;

export const RecentContact = z.object({
  chat_type: z.enum(['group', 'private']),
  peer_id: id,
  peer_name: z.string(),
  last_seq: z.number(),
  last_time: z.number(),
  last_sender_id: id,
  last_message: segments,
});
export type RecentContact = z.infer<typeof RecentContact>;

export const GroupFile = z.object({
  group_id: id,
  file_id: z.string(),
  file_name: z.string(),
  busid: z.number(),
  file_size: z.number(),
  upload_time: z.number(),
  dead_time: z.number(),
  modify_time: z.number(),
  download_times: z.number(),
  uploader: id,
  uploader_name: z.string(),
});
export type GroupFile = z.infer<typeof GroupFile>;

export const GroupFolder = z.object({
  group_id: id,
  folder_id: z.string(),
  folder_name: z.string(),
  create_time: z.number(),
  creator: id,
  creator_name: z.string(),
  total_file_count: z.number(),
});
export type GroupFolder = z.infer<typeof GroupFolder>;

export const FileListing = z.object({
  files: z.array(GroupFile).nullable(),
  folders: z.array(GroupFolder).nullable(),
});
export type FileListing = z.infer<typeof FileListing>;

export const FileSystemInfo = z.object({
  file_count: z.number(),
  limit_count: z.number(),
  used_space: z.number(),
  total_space: z.number(),
});
export type FileSystemInfo = z.infer<typeof FileSystemInfo>;

/** A node of a forward message as sent: a message, or nested nodes. */
export interface ForwardNodeInput {
  user_id: number;
  nickname: string;
  time: number;
  elements?: z.infer<typeof segments>;
  nodes?: ForwardNodeInput[];
}
export const ForwardNodeInput: z.ZodType<ForwardNodeInput> = z.lazy(() =>
  z.object({
    user_id: id,
    nickname: z.string(),
    time: z.number(),
    elements: segments.optional(),
    nodes: z.array(ForwardNodeInput).optional(),
  }),
);

/** A node as stored: nested forwards become their own package (`forward{id}` element). */
export const ForwardNode = z.object({
  user_id: id,
  nickname: z.string(),
  time: z.number(),
  group_id: id.optional(),
  elements: segments,
});
export type ForwardNode = z.infer<typeof ForwardNode>;

export const Guild = z.object({
  guild_id: z.string(),
  guild_name: z.string(),
  guild_display_id: z.string(),
  channels: z.array(
    z.object({
      channel_id: z.string(),
      channel_name: z.string(),
      channel_type: z.number(),
      owner_guild_id: z.string(),
      creator_tiny_id: z.string(),
      create_time: z.number(),
    }),
  ),
  members: z.array(
    z.object({
      tiny_id: z.string(),
      title: z.string(),
      nickname: z.string(),
      role_id: z.string(),
      role_name: z.string(),
    }),
  ),
  roles: z.array(
    z.object({
      role_id: z.string(),
      role_name: z.string(),
      argb_color: z.number(),
      independent: z.boolean(),
      member_count: z.number(),
      max_count: z.number(),
      owned: z.boolean(),
      disabled: z.boolean(),
    }),
  ),
  self_tiny_id: z.string(),
});
export type Guild = z.infer<typeof Guild>;

/** A message sent: its seq and time, and its elements as receivers see them. */
export const SentMessage = z.object({ seq: z.number(), time: z.number(), elements: segments });
export type SentMessage = z.infer<typeof SentMessage>;
