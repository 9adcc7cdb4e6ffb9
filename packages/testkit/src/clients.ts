/**
 * OneBot clients for tests, with assertions in the domain's words:
 *
 *   const res = await http.call('send_group_msg', { group_id: 100100, message: 'hi' });
 *   const ws = await OneBotWs.connect(`${cluster.wsUrl}/10001/`);
 *   const event = await ws.waitForEvent(e => e.post_type === 'message');
 */
import type { ActionResponse } from '@cqfleet/onebot';
import WebSocket from 'ws';

export class OneBotHttp {
  constructor(
    private readonly baseUrl: string,
    private readonly token = '',
  ) {}

  async call<T = unknown>(
    action: string,
    params: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ): Promise<ActionResponse<T>> {
    const res = await fetch(`${this.baseUrl.replace(/\/+$/, '')}/${action}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...headers,
      },
      body: JSON.stringify(params),
    });
    if (res.status !== 200) throw new Error(`HTTP ${res.status} for ${action}`);
    return (await res.json()) as ActionResponse<T>;
  }

  /** Calls and returns `data`, failing the test when the action failed. */
  async ok<T = unknown>(action: string, params: Record<string, unknown> = {}): Promise<T> {
    const res = await this.call<T>(action, params);
    if (res.status !== 'ok') throw new Error(`${action} failed: ${JSON.stringify(res)}`);
    return res.data;
  }
}

export type EventFrame = Record<string, unknown> & { post_type?: string };

export class OneBotWs {
  readonly events: EventFrame[] = [];
  private readonly waiters = new Set<{
    match: (e: EventFrame) => boolean;
    resolve: (e: EventFrame) => void;
  }>();
  private readonly replies = new Map<string, (r: ActionResponse) => void>();
  private nextEcho = 1;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', data => {
      const frame = JSON.parse(data.toString()) as Record<string, unknown>;
      if ('post_type' in frame) {
        this.events.push(frame);
        for (const w of this.waiters)
          if (w.match(frame)) {
            this.waiters.delete(w);
            w.resolve(frame);
          }
      } else if (typeof frame.echo === 'string' && this.replies.has(frame.echo)) {
        this.replies.get(frame.echo)!(frame as unknown as ActionResponse);
        this.replies.delete(frame.echo);
      }
    });
  }

  static connect(url: string, headers: Record<string, string> = {}): Promise<OneBotWs> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers });
      const client = new OneBotWs(ws);
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (_req, res) =>
        reject(new Error(`WebSocket upgrade refused: HTTP ${res.statusCode}`)),
      );
      ws.once('error', reject);
    });
  }

  call<T = unknown>(
    action: string,
    params: Record<string, unknown> = {},
  ): Promise<ActionResponse<T>> {
    const echo = `t${this.nextEcho++}`;
    return new Promise(resolve => {
      this.replies.set(echo, r => resolve(r as ActionResponse<T>));
      this.ws.send(JSON.stringify({ action, params, echo }));
    });
  }

  /** The first event (already received or to come) that matches, or a failure after `timeoutMs`. */
  waitForEvent(match: (e: EventFrame) => boolean, timeoutMs = 5_000): Promise<EventFrame> {
    const seen = this.events.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = { match, resolve };
      this.waiters.add(waiter);
      setTimeout(() => {
        if (this.waiters.delete(waiter))
          reject(
            new Error(
              `no matching event within ${timeoutMs} ms; got ${JSON.stringify(this.events.slice(-5))}`,
            ),
          );
      }, timeoutMs);
    });
  }

  close(): Promise<void> {
    return new Promise(resolve => {
      if (this.ws.readyState === WebSocket.CLOSED) return resolve();
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}
