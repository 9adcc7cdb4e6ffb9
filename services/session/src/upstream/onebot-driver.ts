/**
 * The `onebot` driver: the account runs in an upstream OneBot v11 implementation (NapCat,
 * LLOneBot, Lagrange, go-cqhttp, another cqfleet) and this worker holds one universal
 * connection to it — where actions go out and events come in. The connection is a forward
 * WebSocket this worker opens, or the upstream's reverse WebSocket into a gateway, relayed over
 * NATS (links.ts, relay-link.ts); everything below is the same for both.
 *
 * - Connecting: once the link is up, `get_login_info` must name this account (an upstream
 *   running another account is a configuration error, reported and retried with back-off) and
 *   `get_version_info` tells the flavour. Only then is the account online.
 * - While the link is down the account is offline (`ACCOUNT_OFFLINE` for actions, `online:
 *   false` in get_status); it reconnects with back-off until stopped.
 * - Fencing: a worker that loses the lease stops the account, which lets go of the link;
 *   events are published only while the lease holds (EventPipeline), so a paused worker that
 *   wakes up publishes nothing.
 * - Replies are matched by `echo` (an upstream may answer out of order). NapCat and LLOneBot
 *   accept a bad token's upgrade and then send one `retcode 1403` frame without `echo`.
 */
import { randomBytes } from 'node:crypto';
import { type Namespace, UpstreamOptions } from '@cqfleet/contracts';
import { isOneBotError, OneBotError } from '@cqfleet/onebot';
import {
  counter,
  histogram,
  type Logger,
  type NatsConnection,
  type Redis,
  secondsSince,
} from '@cqfleet/runtime';
import type { Ops, SimUser } from '@cqfleet/sim-client';
import type { DriverHooks, DriverOptions, ProxiedDriver } from '../driver/driver.js';
import { ConnectionLoop, type Ended } from '../driver/connection-loop.js';
import { fromUpstream } from './events.js';
import {
  clipText,
  type LoginInfo,
  type ParsedFrame,
  parseLoginInfo,
  parseUpstreamFrame,
  parseVersionInfo,
} from './frames.js';
import {
  type BufferLimits,
  type Connector,
  ForwardConnector,
  UPSTREAM_PING_MS,
  type UpstreamLink,
} from './links.js';
import { type NoteLimits, UpstreamMediaNames } from './media-names.js';
import { RelayConnector } from './relay-link.js';
import { smoothReply } from './smoothing.js';

const calls = counter(
  'cqfleet_session_upstream_calls_total',
  'Frames sent to upstream OneBot implementations, by how the call ended',
  ['mode', 'outcome'],
);
const refused = counter(
  'cqfleet_session_upstream_frames_refused_total',
  'Frames from upstream OneBot implementations dropped at the border, by reason',
  ['reason'],
);
const callSeconds = histogram(
  'cqfleet_session_upstream_call_seconds',
  'Round trip of an action to an upstream OneBot implementation (answered ones)',
  ['mode'],
);

/** The worker's connections: a reverse upstream is relayed over NATS, media names kept in Redis. */
export interface UpstreamContext {
  nc: NatsConnection;
  redis: Redis;
  ns: Namespace;
  /** Longest frame taken from an upstream (SESSION_UPSTREAM_MAX_FRAME_BYTES). */
  maxFrameBytes: number;
  /** When a link is full (links.ts); UPSTREAM_BUFFER_LIMITS unless a test says. */
  bufferLimits?: BufferLimits;
  /** How many media notes an account writes (media-names.ts); NOTE_LIMITS unless a test says. */
  noteLimits?: Partial<NoteLimits>;
}

interface Pending {
  action: string;
  resolve(data: unknown): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

/** Tells the implementation from get_version_info's answer (any value: never throws). */
export function flavorOf(answer: unknown): string {
  const version = parseVersionInfo(answer);
  const name = `${version.app_name} ${version.app_full_name}`;
  if (/napcat/i.test(name)) return 'napcat';
  if (/llonebot|llob/i.test(name)) return 'llonebot';
  if (/lagrange/i.test(name)) return 'lagrange';
  if (/cqfleet/i.test(name)) return 'cqfleet';
  if (/go-cqhttp/i.test(name)) return 'gocq';
  return 'unknown';
}

export class OneBotDriver extends ConnectionLoop implements ProxiedDriver {
  readonly kind = 'proxied';
  readonly protocol = 0;
  flavor: string;
  private readonly connector: Connector;
  private readonly mode: 'forward' | 'reverse';
  private readonly timeoutMs: number;
  /** The link, while it is up (set before the login check, so that check can use it). */
  private link?: UpstreamLink;
  private readonly pending = new Map<string, Pending>();
  /**
   * Echoes are unique to this driver instance: a relayed socket's replies reach every worker
   * attached to it, and during a hand-over that may be two.
   */
  private readonly echoPrefix = `cqfleet:${randomBytes(4).toString('hex')}:`;
  private nextEcho = 1;
  private profile?: SimUser;
  private readonly media_: UpstreamMediaNames;
  private readonly maxFrameBytes: number;
  private refusedFrames = 0;

  constructor(opts: DriverOptions, log: Logger, ctx: UpstreamContext) {
    super(opts.uin, log);
    const parsed = UpstreamOptions.safeParse(opts.options);
    if (!parsed.success)
      throw new Error(`account ${opts.uin}: onebot driver options: ${parsed.error.message}`);
    const o = parsed.data;
    this.mode = o.mode;
    this.connector =
      o.mode === 'reverse'
        ? new RelayConnector(ctx.nc, ctx.ns, opts.uin, log, undefined, ctx.bufferLimits)
        : new ForwardConnector(
            o.url ?? '',
            o.token,
            log,
            ctx.maxFrameBytes,
            UPSTREAM_PING_MS,
            ctx.bufferLimits,
          );
    this.flavor = o.flavor === 'auto' ? 'unknown' : o.flavor;
    this.timeoutMs = o.timeoutMs;
    this.media_ = new UpstreamMediaNames(ctx.redis, ctx.ns, opts.uin, log, ctx.noteLimits);
    this.maxFrameBytes = ctx.maxFrameBytes;
  }

  protected drop(): void {
    this.link?.close();
  }

  /** One link: connect, check the account, serve until the link closes. */
  protected async serve(hooks: DriverHooks, online: () => void): Promise<Ended> {
    const signal = this.abort.signal;
    try {
      const link = await this.connector.connect(
        raw => this.receive(raw, hooks),
        signal,
        () => this.setState(hooks, 'offline', 'waiting for the upstream to connect in'),
      );
      this.link = link;
      void link.closed.then(() => this.failPending());
      if (signal.aborted) link.close();
      const login = parseLoginInfo(await this.send(link, 'get_login_info', {}));
      if (login.user_id !== this.uin)
        throw new Error(
          `upstream runs account ${login.user_id ?? '(none named)'}, not ${this.uin}`,
        );
      const version = await this.send(link, 'get_version_info', {}).catch(() => undefined);
      if (this.flavor === 'unknown') this.flavor = flavorOf(version);
      this.profile = profileOf(this.uin, login);
      this.log.info({ flavor: this.flavor, upstream: this.connector.where }, 'upstream connected');
      online();
      const why = await link.closed;
      this.link = undefined;
      if (!signal.aborted) {
        this.stats.disconnectTimes++;
        if (why.startsWith('1006')) this.stats.lostTimes++;
      }
      return { state: 'offline', detail: `upstream closed: ${clipText(why)}` };
    } catch (err) {
      this.link?.close();
      this.link = undefined;
      // Becomes the account's lastError (account-status): an upstream's failure wording, or a
      // socket error naming what it answered, is its text and may be of any length.
      throw new Error(clipText(err instanceof Error ? err.message : String(err)), { cause: err });
    }
  }

  /**
   * One frame from the upstream: an event goes to the hooks, a reply to its waiting action,
   * anything else is counted and dropped (frames.ts). Called from socket and NATS callbacks, so
   * it never throws.
   */
  private receive(raw: string, hooks: DriverHooks): void {
    this.stats.packetReceived++;
    try {
      this.take(parseUpstreamFrame(raw, this.maxFrameBytes), raw, hooks);
    } catch (err) {
      refused.inc({ reason: 'failed' });
      this.log.error({ err }, 'upstream frame could not be handled');
    }
  }

  private take(parsed: ParsedFrame, raw: string, hooks: DriverHooks): void {
    if (parsed.kind === 'refused') {
      refused.inc({ reason: parsed.reason });
      // One line per refused frame would let an upstream flood the logs: the first, then 1/100.
      if (this.refusedFrames++ % 100 === 0)
        this.log.warn(
          { reason: parsed.reason, detail: parsed.detail, refused: this.refusedFrames },
          'upstream frame refused',
        );
      return;
    }
    if (parsed.kind === 'event') {
      const out = fromUpstream(this.uin, parsed.frame, raw);
      if (!out) return;
      // Only what the account took is noted (an event dropped for a full backlog would else
      // still write its notes).
      if (hooks.onOneBotEvent(out.event, out.id, raw.length)) this.media_.remember(out.event);
      return;
    }
    const { echo, reply } = parsed;
    const p = echo === undefined ? undefined : this.pending.get(echo);
    if (p && echo !== undefined) {
      this.pending.delete(echo);
      clearTimeout(p.timer);
      try {
        p.resolve(smoothReply(p.action, reply));
      } catch (err) {
        p.reject(err as Error);
      }
    } else if (reply.retcode === 1403 || reply.retcode === 403) {
      this.log.error({ upstream: this.connector.where }, 'upstream refused the access token');
      this.link?.close();
    }
  }

  /** The link is over: every action still waiting for an answer fails. */
  private failPending(): void {
    for (const [echo, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new OneBotError('ACCOUNT_OFFLINE', '与上游实现的连接已断开'));
      this.pending.delete(echo);
    }
  }

  /**
   * One request to the upstream, answered by its echo, within `timeoutMs` — and no longer than
   * the action's deadline (`signal`): then its pending entry, and the params it holds (inlined
   * media of up to tens of MiB), go at once, and a late answer is ignored. Without it the
   * entry stayed until the upstream's own timeout (up to 10 minutes) after the caller was
   * answered TIMEOUT, counted against the account's calls in flight all that time.
   */
  private send(
    link: UpstreamLink,
    action: string,
    params: unknown,
    signal?: AbortSignal,
  ): Promise<unknown> {
    if (signal?.aborted) return Promise.reject(deadlinePassed(action));
    // An upstream that does not read what it was sent gets no more (links.ts; a relayed one:
    // NATS has not taken what was sent, relay-link.ts): the action fails now rather than
    // waiting behind the unread ones until it times out.
    if (link.full?.()) {
      calls.inc({ mode: this.mode, outcome: 'refused' });
      return Promise.reject(
        new OneBotError('SERVICE_UNAVAILABLE', '上游实现未读取此前的请求, 请稍后再试'),
      );
    }
    const echo = `${this.echoPrefix}${this.nextEcho++}`;
    const mode = this.mode;
    const started = performance.now();
    const answered = (outcome: 'ok' | 'failed') => {
      calls.inc({ mode, outcome });
      callSeconds.observe({ mode }, secondsSince(started));
    };
    return new Promise((resolve, reject) => {
      const abandon = () => {
        clearTimeout(timer);
        this.pending.delete(echo);
        calls.inc({ mode, outcome: 'timeout' });
        reject(deadlinePassed(action));
      };
      const settled = () => signal?.removeEventListener('abort', abandon);
      const timer = setTimeout(() => {
        settled();
        this.pending.delete(echo);
        this.stats.packetLost++;
        calls.inc({ mode, outcome: 'timeout' });
        reject(new OneBotError('TIMEOUT', `上游实现 ${this.timeoutMs} ms 内未响应 ${action}`));
      }, this.timeoutMs);
      signal?.addEventListener('abort', abandon, { once: true });
      this.pending.set(echo, {
        action,
        resolve: data => {
          settled();
          answered('ok');
          resolve(data);
        },
        reject: err => {
          settled();
          // A failure the upstream answered; a dropped link is 'offline'.
          if (isOneBotError(err) && err.msg === 'ACCOUNT_OFFLINE')
            calls.inc({ mode, outcome: 'offline' });
          else answered('failed');
          reject(err);
        },
        timer,
      });
      this.stats.packetSent++;
      link.send(JSON.stringify({ action, params, echo }));
    });
  }

  /** OneBotUpstream: an action forwarded as it is, given up at its deadline (`signal`). */
  action(name: string, params: unknown, signal?: AbortSignal): Promise<unknown> {
    const link = this.link;
    if (!link || this.current !== 'online')
      return Promise.reject(new OneBotError('ACCOUNT_OFFLINE'));
    return this.send(link, name, params, signal);
  }

  async self(): Promise<SimUser> {
    return this.profile ?? this.refreshSelf();
  }

  async refreshSelf(): Promise<SimUser> {
    this.profile = profileOf(this.uin, parseLoginInfo(await this.action('get_login_info', {})));
    return this.profile;
  }

  /** Where a media file named in the account's events can be fetched (the fallbacks' source). */
  media(kind: 'image' | 'record' | 'video', name: string): Promise<Ops['get_media']['result']> {
    return this.media_.lookup(kind, name) as Promise<Ops['get_media']['result']>;
  }
}

/** The answer of a request given up at its action's deadline. */
function deadlinePassed(action: string): OneBotError {
  return new OneBotError('TIMEOUT', `${action} 未在期限内完成, 已不再等待上游实现`);
}

function profileOf(uin: number, login: LoginInfo): SimUser {
  return {
    user_id: uin,
    nickname: login.nickname,
    sex: 'unknown',
    age: 0,
    level: 0,
    sign: '',
    qid: '',
    login_days: 0,
    vip_level: '',
  };
}
