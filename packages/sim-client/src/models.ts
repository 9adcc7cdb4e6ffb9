/**
 * What the simulated QQ network knows about people, groups, messages and files. Field names
 * follow go-cqhttp's results where one exists, so drivers map them with little code.
 */
import type { Segment } from '@cqfleet/onebot';

export type Sex = 'male' | 'female' | 'unknown';
export type Role = 'owner' | 'admin' | 'member';

export interface SimUser {
  user_id: number;
  nickname: string;
  sex: Sex;
  age: number;
  level: number;
  sign: string;
  qid: string;
  login_days: number;
  vip_level: string;
}

export interface SimFriend {
  user_id: number;
  nickname: string;
  remark: string;
}

export interface SimUnidirectionalFriend {
  user_id: number;
  nickname: string;
  source: string;
}

export interface SimVipInfo {
  user_id: number;
  nickname: string;
  level: number;
  level_speed: number;
  vip_level: string;
  vip_growth_speed: number;
  vip_growth_total: number;
}

export interface SimDevice {
  app_id: number;
  device_name: string;
  device_kind: string;
}

export interface SimGroup {
  group_id: number;
  group_name: string;
  group_memo: string;
  group_create_time: number;
  group_level: number;
  member_count: number;
  max_member_count: number;
}

export interface SimMember {
  group_id: number;
  user_id: number;
  nickname: string;
  card: string;
  sex: Sex;
  age: number;
  area: string;
  join_time: number;
  last_sent_time: number;
  level: string;
  role: Role;
  title: string;
  title_expire_time: number;
  shut_up_timestamp: number;
}

/** Who sent a group message, as the receiving account sees it. */
export interface SimGroupSender {
  user_id: number;
  nickname: string;
  card: string;
  role: Role;
  title: string;
  level: string;
  sex: Sex;
  age: number;
  area: string;
}

export interface SimPrivateSender {
  user_id: number;
  nickname: string;
  sex: Sex;
  age: number;
}

/** A group message as a member reads it back from the group's history. */
export interface SimGroupHistoryMessage {
  time: number;
  group_id: number;
  seq: number;
  sender: SimGroupSender;
  anonymous: SimAnonymous | null;
  elements: Segment[];
}

export interface SimAnonymous {
  id: number;
  name: string;
  flag: string;
}

/** A message as the network keeps it (for recalls, replies, essence, forwards). */
export interface SimStoredMessage {
  seq: number;
  time: number;
  sender_id: number;
  sender_name: string;
  group_id?: number;
  target_id?: number;
  elements: Segment[];
  recalled: boolean;
}

export interface SimHonorMember {
  user_id: number;
  nickname: string;
  avatar: string;
  description: string;
}

export interface SimHonorInfo {
  group_id: number;
  current_talkative?: { user_id: number; nickname: string; avatar: string; day_count: number };
  talkative_list: SimHonorMember[];
  performer_list: SimHonorMember[];
  legend_list: SimHonorMember[];
  strong_newbie_list: SimHonorMember[];
  emotion_list: SimHonorMember[];
}

export interface SimNotice {
  notice_id: string;
  sender_id: number;
  publish_time: number;
  message: { text: string; images: Array<{ height: string; width: string; id: string }> };
}

export interface SimGroupSystemMessages {
  invited_requests: Array<{
    request_id: number;
    invitor_uin: number;
    invitor_nick: string;
    group_id: number;
    group_name: string;
    checked: boolean;
    actor: number;
  }> | null;
  join_requests: Array<{
    request_id: number;
    requester_uin: number;
    requester_nick: string;
    message: string;
    group_id: number;
    group_name: string;
    checked: boolean;
    actor: number;
    suspicious: boolean;
  }> | null;
}

export interface SimEssence {
  sender_id: number;
  sender_nick: string;
  sender_time: number;
  operator_id: number;
  operator_nick: string;
  operator_time: number;
  seq: number;
}

export interface SimRecentContact {
  chat_type: 'group' | 'private';
  peer_id: number;
  peer_name: string;
  last_seq: number;
  last_time: number;
  last_sender_id: number;
  last_message: Segment[];
}

export interface SimGroupFile {
  group_id: number;
  file_id: string;
  file_name: string;
  busid: number;
  file_size: number;
  upload_time: number;
  dead_time: number;
  modify_time: number;
  download_times: number;
  uploader: number;
  uploader_name: string;
}

export interface SimGroupFolder {
  group_id: number;
  folder_id: string;
  folder_name: string;
  create_time: number;
  creator: number;
  creator_name: string;
  total_file_count: number;
}

export interface SimFileListing {
  files: SimGroupFile[] | null;
  folders: SimGroupFolder[] | null;
}

export interface SimFileSystemInfo {
  file_count: number;
  limit_count: number;
  used_space: number;
  total_space: number;
}

/** A node of a forward message as sent: a message, or nested nodes. */
export interface SimForwardNodeInput {
  user_id: number;
  nickname: string;
  time: number;
  elements?: Segment[];
  nodes?: SimForwardNodeInput[];
}

/** A node as stored: nested forwards become their own package (`forward{id}` element). */
export interface SimForwardNode {
  user_id: number;
  nickname: string;
  time: number;
  group_id?: number;
  elements: Segment[];
}

export interface SimGuild {
  guild_id: string;
  guild_name: string;
  guild_display_id: string;
  channels: Array<{
    channel_id: string;
    channel_name: string;
    channel_type: number;
    owner_guild_id: string;
    creator_tiny_id: string;
    create_time: number;
  }>;
  members: Array<{
    tiny_id: string;
    title: string;
    nickname: string;
    role_id: string;
    role_name: string;
  }>;
  roles: Array<{
    role_id: string;
    role_name: string;
    argb_color: number;
    independent: boolean;
    member_count: number;
    max_count: number;
    owned: boolean;
    disabled: boolean;
  }>;
  self_tiny_id: string;
}
