/**
 * The `onebot` driver: the account runs in an upstream OneBot v11 implementation (NapCat,
 * LLOneBot, Lagrange, go-cqhttp, another cqfleet) and this worker holds one forward-WebSocket
 * connection to it — the universal endpoint, where actions go out and events come in.
 *
 * - Connecting: the socket opens with the token (`Authorization: Bearer`), then
 *   `get_login_info` must name this account (an upstream running another account is a
 *   configuration error, reported and retried with back-off) and `get_version_info` tells the
 *   flavour. Only then is the account online.
 * - While the socket is down the account is offline (`ACCOUNT_OFFLINE` for actions, `online:
 *   false` in get_status); it reconnects with back-off until stopped.
 * - Fencing: a worker that loses the lease stops the account, which closes this connection;
 *   events are published only while the lease holds (EventPipeline), so a paused worker that
 *   wakes up publishes nothing.
 * - Replies are matched by `echo` (an upstream may answer out of order). NapCat and LLOneBot
 *   accept a bad token's upgrade and then send one `retcode 1403` frame without `echo`.
 */
import { OneBotError } from '@cqfleet/onebot';
import { backoff, type Logger, sleep } from '@cqfleet/runtime';
import type { OpName, Ops, SimUser } from '@cqfleet/sim-client';
import WebSocket from 'ws';
import type { Driver, DriverHooks, DriverOptions, OneBotUpstream } from '../driver/driver.js';
import { ConnectionLoop } from '../driver/connection-loop.js';
import { fromUpstream } from './events.js';
import { smoothReply, type UpstreamReply } from './smoothing.js';

const DEFAULT_TIMEOUT_MS = 30_000;

interface Pending {
  action: string;
  resolve(data: unknown): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

/** Tells the implementation from get_version_info. */
export function flavorOf(version: { app_name?: unknown; app_full_name?: unknown }): string {
  const name = `${String(version.app_name ?? '')} ${String(version.app_full_name ?? '')}`;
  if (/napcat/i.test(name)) return 'napcat';
  if (/llonebot|llob/i.test(name)) return 'llonebot';
  if (/lagrange/i.test(name)) return 'lagrange';
  if (/cqfleet/i.test(name)) return 'cqfleet';
  if (/go-cqhttp/i.test(name)) return 'gocq';
  return 'unknown';
}

export class OneBotDriver extends ConnectionLoop implements Driver, OneBotUpstream {
  readonly protocol = 0;
  readonly upstream: OneBotUpstream = this;
  flavor: string;
  private readonly url: string;
  private readonly token: string | undefined;
  private readonly timeoutMs: number;
  private ws?: WebSocket;
  private readonly pending = new Map<string, Pending>();
  private nextEcho = 1;
  private profile?: SimUser;

  constructor(opts: DriverOptions, log: Logger) {
    super(opts.uin, log);
    const o = opts.options;
    if (typeof o.url !== 'string')
      throw new Error(`account ${opts.uin}: onebot driver needs options.url`);
    this.url = o.url;
    this.token = typeof o.token === 'string' && o.token !== '' ? o.token : undefined;
    this.flavor = typeof o.flavor === 'string' && o.flavor !== 'auto' ? o.flavor : 'unknown';
    this.timeoutMs = typeof o.timeoutMs === 'number' ? o.timeoutMs : DEFAULT_TIMEOUT_MS;
  }

  protected drop(): void {
    this.ws?.terminate();
  }

  /** Connect, check the account, serve until the socket closes, repeat with back-off. */
  protected async run(hooks: DriverHooks): Promise<void> {
    const signal = this.abort.signal;
    for (let attempt = 0; !signal.aborted;) {
      this.setState(hooks, 'connecting');
      try {
        const ws = await this.open(hooks);
        const closed = new Promise<string>(resolve =>
          ws.once('close', (code, reason) => resolve(`${code} ${reason.toString()}`)),
        );
        const login = (await this.send(ws, 'get_login_info', {})) as {
          user_id?: unknown;
          nickname?: unknown;
        };
        if (Number(login.user_id) !== this.uin)
          throw new Error(`upstream runs account ${String(login.user_id)}, not ${this.uin}`);
        const version = (await this.send(ws, 'get_version_info', {}).catch(() => ({}))) as object;
        if (this.flavor === 'unknown') this.flavor = flavorOf(version);
        this.profile = profileOf(this.uin, login);
        this.ws = ws;
        attempt = 0;
        this.log.info({ flavor: this.flavor, url: this.url }, 'upstream connected');
        this.setState(hooks, 'online');
        const why = await closed;
        this.ws = undefined;
        if (signal.aborted) return;
        this.stats.disconnectTimes++;
        if (why.startsWith('1006')) this.stats.lostTimes++;
        this.setState(hooks, 'offline', `upstream closed: ${why}`);
      } catch (err) {
        this.ws = undefined;
        if (signal.aborted) return;
        this.setState(hooks, 'offline', err instanceof Error ? err.message : String(err));
      }
      await sleep(backoff(attempt++, 200, 5_000), signal).catch(() => undefined);
    }
  }

  /** Opens the socket; frames are routed from here on (events to hooks, replies by echo). */
  private open(hooks: DriverHooks): Promise<WebSocket> {
    const ws = new WebSocket(this.url, {
      handshakeTimeout: 5_000,
      headers: this.token ? { Authorization: `Bearer ${this.token}` } : {},
    });
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      this.stats.packetReceived++;
      const raw = data.toString();
      let frame: Record<string, unknown>;
      try {
        frame = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        return;
      }
      if (typeof frame.post_type === 'string') {
        const out = fromUpstream(this.uin, frame, raw);
        if (out) hooks.onOneBotEvent(out.event, out.id);
        return;
      }
      const echo = typeof frame.echo === 'string' ? frame.echo : undefined;
      const p = echo === undefined ? undefined : this.pending.get(echo);
      if (p && echo !== undefined) {
        this.pending.delete(echo);
        clearTimeout(p.timer);
        try {
          p.resolve(smoothReply(p.action, frame as UpstreamReply));
        } catch (err) {
          p.reject(err as Error);
        }
      } else if (frame.retcode === 1403 || frame.retcode === 403) {
        this.log.error({ url: this.url }, 'upstream refused the access token');
        ws.close();
      }
    });
    ws.on('close', () => {
      for (const [echo, p] of this.pending) {
        clearTimeout(p.timer);
        p.reject(new OneBotError('ACCOUNT_OFFLINE', '与上游实现的连接已断开'));
        this.pending.delete(echo);
      }
    });
    return new Promise((resolve, reject) => {
      ws.once('open', () => {
        ws.off('error', reject);
        ws.on('error', err => this.log.warn({ err: err.message }, 'upstream socket error'));
        resolve(ws);
      });
      ws.once('error', reject);
    });
  }

  private send(ws: WebSocket, action: string, params: unknown): Promise<unknown> {
    const echo = `cqfleet:${this.nextEcho++}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(echo);
        this.stats.packetLost++;
        reject(new OneBotError('TIMEOUT', `上游实现 ${this.timeoutMs} ms 内未响应 ${action}`));
      }, this.timeoutMs);
      this.pending.set(echo, { action, resolve, reject, timer });
      this.stats.packetSent++;
      ws.send(JSON.stringify({ action, params, echo }));
    });
  }

  /** OneBotUpstream: an action forwarded as it is. */
  action(name: string, params: unknown): Promise<unknown> {
    const ws = this.ws;
    if (!ws || this.current !== 'online') return Promise.reject(new OneBotError('ACCOUNT_OFFLINE'));
    return this.send(ws, name, params);
  }

  async self(): Promise<SimUser> {
    return this.profile ?? this.refreshSelf();
  }

  async refreshSelf(): Promise<SimUser> {
    this.profile = profileOf(this.uin, (await this.action('get_login_info', {})) as object);
    return this.profile;
  }

  /** The QQ-side model is the simulator's; an upstream is spoken to in OneBot instead. */
  call<K extends Exclude<OpName, 'login'>>(
    op: K,
    _args: Ops[K]['args'],
  ): Promise<Ops[K]['result']> {
    return Promise.reject(
      new OneBotError('API_NOT_IMPLEMENTED', `上游 OneBot 账号不支持内部操作 ${op}`),
    );
  }
}

function profileOf(uin: number, login: { nickname?: unknown }): SimUser {
  return {
    user_id: uin,
    nickname: String(login.nickname ?? ''),
    sex: 'unknown',
    age: 0,
    level: 0,
    sign: '',
    qid: '',
    login_days: 0,
    vip_level: '',
  };
}
