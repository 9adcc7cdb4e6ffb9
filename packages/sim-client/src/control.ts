/**
 * A client for the simulator's control API (services/simulator/README.md): act as any
 * simulated person and read what was said. Used by tests, benchmarks and the demo.
 */
import type { MessageInput } from '@cqfleet/onebot';
import type { OpName, Ops } from './protocol.js';

export interface SimChatMessage {
  seq: number;
  recalled: boolean;
  message_id: number;
  time: number;
  sender_id: number;
  /** The group, or for private messages the receiver. */
  group_id?: number;
  target_id?: number;
  /** CQ string of the message. */
  message: string;
  elements: Array<{ type: string; data: Record<string, string> }>;
}

export class SimControl {
  constructor(private readonly baseUrl: string) {}

  private async call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const res = await fetch(this.baseUrl.replace(/\/+$/, '') + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`simulator ${method} ${path}: ${res.status} ${text}`);
    return JSON.parse(text) as T;
  }

  sendGroupMsg(
    userId: number,
    groupId: number,
    message: MessageInput,
  ): Promise<{ seq: number; message_id: number }> {
    return this.call('POST', `/people/${userId}/send_group_msg`, { group_id: groupId, message });
  }

  /** With `groupId`, a temporary session started from that group. */
  sendPrivateMsg(
    userId: number,
    toUserId: number,
    message: MessageInput,
    groupId?: number,
  ): Promise<{ seq: number; message_id: number }> {
    return this.call('POST', `/people/${userId}/send_private_msg`, {
      user_id: toUserId,
      message,
      group_id: groupId,
    });
  }

  /** Any driver op as this person (see protocol.ts `Ops`), under the rules an account meets. */
  async act<K extends Exclude<OpName, 'login'>>(
    userId: number,
    op: K,
    args: Ops[K]['args'],
  ): Promise<Ops[K]['result']> {
    return (await this.call<{ result: Ops[K]['result'] }>('POST', `/people/${userId}/${op}`, args))
      .result;
  }

  redPacket(
    userId: number,
    groupId: number,
    title: string,
    luckyKing?: number,
  ): Promise<{ seq: number; message_id: number; lucky_king: number }> {
    return this.call('POST', `/people/${userId}/red_packet`, {
      group_id: groupId,
      title,
      lucky_king: luckyKing,
    });
  }

  async requestFriend(userId: number, account: number, comment: string): Promise<string> {
    return (
      await this.call<{ flag: string }>('POST', `/people/${userId}/request_friend`, {
        user_id: account,
        comment,
      })
    ).flag;
  }

  async requestJoin(userId: number, groupId: number, comment: string): Promise<string[]> {
    return (
      await this.call<{ flags: string[] }>('POST', `/people/${userId}/request_join`, {
        group_id: groupId,
        comment,
      })
    ).flags;
  }

  async invite(userId: number, groupId: number, account: number): Promise<string> {
    return (
      await this.call<{ flag: string }>('POST', `/people/${userId}/invite`, {
        group_id: groupId,
        account,
      })
    ).flag;
  }

  async earnHonor(
    groupId: number,
    userId: number,
    type: 'talkative' | 'performer' | 'legend' | 'strong_newbie' | 'emotion',
  ): Promise<void> {
    await this.call('POST', `/groups/${groupId}/honors`, { user_id: userId, type });
  }

  async device(
    account: number,
    device: { app_id: number; device_name: string; device_kind: string },
    online: boolean,
  ): Promise<void> {
    await this.call('POST', `/accounts/${account}/devices`, { ...device, online });
  }

  async faults(
    account: number,
    faults: { refuse_sends?: boolean; delay_ms?: number; offline?: boolean },
  ): Promise<void> {
    await this.call('POST', `/accounts/${account}/faults`, faults);
  }

  async drop(account: number): Promise<boolean> {
    return (await this.call<{ dropped: boolean }>('POST', `/accounts/${account}/drop`)).dropped;
  }

  async groupMessages(groupId: number, limit?: number): Promise<SimChatMessage[]> {
    const q = limit ? `?limit=${limit}` : '';
    return (
      await this.call<{ messages: SimChatMessage[] }>('GET', `/groups/${groupId}/messages${q}`)
    ).messages;
  }

  async personMessages(userId: number, limit?: number): Promise<SimChatMessage[]> {
    const q = limit ? `?limit=${limit}` : '';
    return (
      await this.call<{ messages: SimChatMessage[] }>('GET', `/people/${userId}/messages${q}`)
    ).messages;
  }
}
