/**
 * Reads of the QQ side that history asks an account's owning session worker for, when it lacks
 * what an action needs (go-cqhttp fetches these from QQ's servers each time): the nodes of a
 * forward message, a stretch of a group's history, one message. They travel on their own gRPC
 * method, `QQSide.Read` (proto/cqfleet/v1/qq_side.proto; client and server in @cqfleet/rpc),
 * never as actions: no client can call them.
 */
import type { GroupMessageEvent, MessageEvent, Segment } from '@cqfleet/onebot';

/** One node of a forward message, as history keeps it (segments in the cluster's array form). */
export interface ForwardNodeRecord {
  user_id: number;
  nickname: string;
  time: number;
  group_id?: number;
  message: Segment[];
}

export interface QQReads {
  forward: { args: { resid: string }; result: ForwardNodeRecord[] };
  /**
   * Of the `count` seqs ending at `seq` (the latest when 0), the messages that still exist, as
   * the account sees them, oldest first.
   */
  group_messages: {
    args: { group_id: number; seq: number; count: number };
    result: GroupMessageEvent[];
  };
  /**
   * One message by id, when history does not have it: null when the QQ side does not know it
   * either. Only an upstream OneBot implementation answers with a message (it may not report
   * what the account sends); a native account's every message is in the stream already.
   */
  message: { args: { message_id: number }; result: MessageEvent | null };
}

export type QQReadName = keyof QQReads;
