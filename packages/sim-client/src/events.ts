/**
 * Things that happen to an account, as the simulator pushes them. Each is delivered once per
 * account, in order (see protocol.ts for replay). `time` is Unix seconds.
 */
import type { Segment } from '@cqfleet/onebot';
import type { SimAnonymous, SimDevice, SimGroupSender, SimPrivateSender } from './models.js';

export type SimEvent =
  | {
      kind: 'group_message';
      time: number;
      group_id: number;
      seq: number;
      sender: SimGroupSender;
      anonymous: SimAnonymous | null;
      elements: Segment[];
    }
  | {
      kind: 'private_message';
      time: number;
      seq: number;
      sender: SimPrivateSender;
      target_id: number;
      /** The group a temporary session started from; absent between friends. */
      temp_source?: number;
      elements: Segment[];
    }
  | {
      kind: 'group_upload';
      time: number;
      group_id: number;
      user_id: number;
      file: { id: string; name: string; size: number; busid: number; url: string };
    }
  | { kind: 'group_admin'; time: number; group_id: number; user_id: number; set: boolean }
  | {
      kind: 'group_decrease';
      time: number;
      group_id: number;
      user_id: number;
      operator_id: number;
      sub_type: 'leave' | 'kick' | 'kick_me';
    }
  | {
      kind: 'group_increase';
      time: number;
      group_id: number;
      user_id: number;
      operator_id: number;
      sub_type: 'approve' | 'invite';
    }
  | {
      kind: 'group_ban';
      time: number;
      group_id: number;
      /** 0 for the whole group. */
      user_id: number;
      operator_id: number;
      duration: number;
      sub_type: 'ban' | 'lift_ban';
    }
  | {
      kind: 'group_recall';
      time: number;
      group_id: number;
      user_id: number;
      operator_id: number;
      seq: number;
    }
  | { kind: 'friend_recall'; time: number; user_id: number; seq: number }
  | { kind: 'friend_add'; time: number; user_id: number }
  | { kind: 'poke'; time: number; group_id?: number; sender_id: number; target_id: number }
  | { kind: 'lucky_king'; time: number; group_id: number; sender_id: number; target_id: number }
  | {
      kind: 'honor';
      time: number;
      group_id: number;
      user_id: number;
      honor_type: 'talkative' | 'performer' | 'emotion';
    }
  | { kind: 'title'; time: number; group_id: number; user_id: number; title: string }
  | {
      kind: 'group_card';
      time: number;
      group_id: number;
      user_id: number;
      card_new: string;
      card_old: string;
    }
  | {
      kind: 'offline_file';
      time: number;
      user_id: number;
      file: { name: string; size: number; url: string };
    }
  | { kind: 'client_status'; time: number; online: boolean; client: SimDevice }
  | {
      kind: 'essence';
      time: number;
      group_id: number;
      sender_id: number;
      operator_id: number;
      seq: number;
      sub_type: 'add' | 'delete';
    }
  | { kind: 'friend_request'; time: number; user_id: number; comment: string; flag: string }
  | {
      kind: 'group_request';
      time: number;
      group_id: number;
      user_id: number;
      invitor_id: number;
      comment: string;
      flag: string;
      sub_type: 'add' | 'invite';
    }
  | {
      kind: 'reaction';
      time: number;
      group_id: number;
      user_id: number;
      seq: number;
      emoji_id: string;
      set: boolean;
    };

export type SimEventKind = SimEvent['kind'];
