/**
 * A client for the simulator's control API (services/simulator/README.md): act as any
 * simulated person and read what was said. Used by tests, benchmarks and the demo.
 */
import type { MessageInput } from '@cqfleet/onebot';

export interface SimChatMessage {
  seq: number;
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

  sendPrivateMsg(
    userId: number,
    toUserId: number,
    message: MessageInput,
  ): Promise<{ seq: number; message_id: number }> {
    return this.call('POST', `/people/${userId}/send_private_msg`, { user_id: toUserId, message });
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
