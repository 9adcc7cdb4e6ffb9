/**
 * The gateway's end of the relay of reverse-WebSocket upstreams (protocol:
 * contracts/upstream-relay.ts). An upstream implementation configured as a reverse-WebSocket
 * client of cqfleet (NapCat's "WebSocket client", Lagrange's `ReverseWebSocket`, go-cqhttp's
 * `ws-reverse`) connects to any replica at `/upstream` on the forward-WS port, with:
 *
 * - `X-Self-ID`: its account, which must be a `onebot` account with `mode: 'reverse'`;
 * - its access token (`Authorization: <scheme> <token>`, or `?access_token=`), which must be
 *   the account's `options.token`;
 * - `X-Client-Role` `Universal` when present: actions and events share the one socket.
 *
 * A refused upgrade is answered with the failure envelope: 400 ACCOUNT_NOT_FOUND (no or
 * unknown account) or INVALID_PARAMS (another role), 401 TOKEN_MISSING, 403 TOKEN_INVALID. When the account's record changes so that a socket would no longer be accepted (a
 * new token, another mode, disabled, removed), the socket is closed (1008). An accepted socket is offered to the account's owner on NATS; the upstream's frames
 * are published as they come and the owner's frames written to the socket. The events of the
 * last moments (GATEWAY_UPSTREAM_REPLAY_MS / _BYTES) are kept and sent again to an owner that
 * attaches (recent-events.ts).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type Namespace, type RelayHello, UpstreamOptions } from '@cqfleet/contracts';
import {
  counter,
  FrameJoiner,
  gauge,
  type Logger,
  type NatsConnection,
  onNatsStatus,
  publishFrame,
} from '@cqfleet/runtime';
import type { Subscription } from '@nats-io/transport-node';
import { type WebSocket, WebSocketServer } from 'ws';
import type { AccountDirectory } from '../accounts/directory.js';
import type { ErrorTag } from '@cqfleet/onebot';
import { sameSecret, tokenFrom } from '../auth/tokens.js';
import { authRefusal, countRefusal, refusalBody, writeRawRefusal } from '../refusals.js';
import { closeWithin, sendBounded } from '../transports/ws-send.js';
import { RecentEvents } from './recent-events.js';

const held = new Set<WebSocket>();
gauge('cqfleet_gateway_upstream_sockets', 'Reverse-WebSocket upstreams connected', [], function () {
  this.set(held.size);
});

const frames = counter(
  'cqfleet_gateway_upstream_frames_total',
  'Frames relayed between reverse-WebSocket upstreams and their owners',
  ['direction'],
);
const replayed = counter(
  'cqfleet_gateway_upstream_replayed_total',
  'Recent upstream events sent again to an owner that attached',
);

export interface UpstreamRelayDeps {
  nc: NatsConnection;
  ns: Namespace;
  directory: AccountDirectory;
  replicaId: string;
  /** How much of each upstream's recent events is kept for replay (ms, bytes). */
  replay: { windowMs: number; maxBytes: number };
  /** GATEWAY_WS_MAX_BUFFERED_BYTES: an upstream that stops reading is closed (slow consumer). */
  maxBuffered: number;
  /** GATEWAY_UPSTREAM_PING_MS: how often each socket is pinged (0: never). */
  pingMs: number;
  log: Logger;
}

type Refusal = { status: 400 | 401 | 403; tag: ErrorTag; reason: string };

export class UpstreamRelay {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 * 1024 });
  /** This replica's sockets, announced again when NATS is back (owners re-attach at once). */
  private readonly announced = new Map<WebSocket, { uin: number; hello: RelayHello }>();
  /** Each socket's account and the token it was accepted with. */
  private readonly accepted = new Map<WebSocket, { uin: number; token: string }>();
  private readonly offReconnect: () => void;
  private readonly offChange: () => void;
  /** Sockets that answered their last ping (or are new since it). */
  private readonly answered = new WeakSet<WebSocket>();
  private readonly pinger?: NodeJS.Timeout;

  constructor(private readonly deps: UpstreamRelayDeps) {
    this.offReconnect = onNatsStatus(deps.nc, 'reconnect', () => {
      for (const { uin, hello } of this.announced.values()) this.announce(uin, hello);
    });
    this.offChange = deps.directory.onChange(() => this.recheck());
    if (deps.pingMs > 0) {
      this.pinger = setInterval(() => this.ping(), deps.pingMs);
      this.pinger.unref();
    }
  }

  /**
   * Cuts off the sockets that did not answer the last ping, and pings the others. An upstream
   * gone without a FIN (power lost, a NAT's idle drop) would otherwise stay attached: the
   * account reported online, every action written into the dead socket until it times out.
   */
  private ping(): void {
    for (const ws of this.wss.clients) {
      if (!this.answered.has(ws)) {
        this.deps.log.info(
          { uin: this.accepted.get(ws)?.uin },
          'upstream socket cut off: no answer to the last ping',
        );
        ws.terminate();
        continue;
      }
      this.answered.delete(ws);
      ws.ping();
    }
  }

  /** Closes the sockets that their account's record no longer accepts. */
  private recheck(): void {
    for (const [ws, { uin, token }] of this.accepted) {
      const options = this.reverseOptions(uin);
      if (options && sameSecret(token, options.token ?? '')) continue;
      this.deps.log.info({ uin }, 'upstream socket closed: the account no longer accepts it');
      closeWithin(ws, 1008, 'account settings changed');
      this.accepted.delete(ws);
    }
  }

  /** The options of a reverse-upstream account, if `uin` is one (enabled). */
  private reverseOptions(uin: number): UpstreamOptions | undefined {
    const record = Number.isSafeInteger(uin) ? this.deps.directory.record(uin) : undefined;
    const options = record?.driver === 'onebot' ? UpstreamOptions.safeParse(record.options) : null;
    return options?.success && options.data.mode === 'reverse' ? options.data : undefined;
  }

  private announce(uin: number, hello: RelayHello): void {
    try {
      this.deps.nc.publish(this.deps.ns.upstreamSubject(uin, 'opened'), JSON.stringify(hello));
    } catch (err) {
      this.deps.log.warn({ err, uin }, 'upstream socket not announced');
    }
  }

  /** Takes an upgrade request at the relay's path: accepts the socket or refuses it. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): void {
    const checked = this.check(req, url);
    if ('status' in checked) {
      this.deps.log.warn({ ...checked, selfId: req.headers['x-self-id'] }, 'upstream refused');
      const wording = checked.status === 400 ? checked.reason : undefined;
      if (checked.status !== 400) countRefusal(authRefusal(checked.status).reason);
      writeRawRefusal(socket, checked.status, refusalBody(checked.tag, wording));
      return;
    }
    this.wss.handleUpgrade(req, socket, head, ws => {
      this.accepted.set(ws, checked);
      this.answered.add(ws);
      ws.on('pong', () => this.answered.add(ws));
      ws.once('close', () => this.accepted.delete(ws));
      this.accept(ws, checked.uin).catch((err: unknown) => {
        this.deps.log.warn({ err, uin: checked.uin }, 'upstream socket not relayed');
        closeWithin(ws, 1011, 'relay unavailable');
      });
    });
  }

  private check(req: IncomingMessage, url: URL): { uin: number; token: string } | Refusal {
    const raw = req.headers['x-self-id'] ?? url.searchParams.get('self_id') ?? '';
    const uin = Number(raw);
    const options = this.reverseOptions(uin);
    if (!options)
      return {
        status: 400,
        tag: 'ACCOUNT_NOT_FOUND',
        reason: `no reverse-upstream account ${String(raw)}`,
      };
    const role = req.headers['x-client-role'];
    if (typeof role === 'string' && role.toLowerCase() !== 'universal')
      return {
        status: 400,
        tag: 'INVALID_PARAMS',
        reason: `role ${role}: only a Universal connection is relayed`,
      };
    const token = tokenFrom(req.headers, url.searchParams);
    if (token === '') return { status: 401, tag: 'TOKEN_MISSING', reason: 'Unauthorized' };
    if (!sameSecret(token, options.token ?? ''))
      return { status: 403, tag: 'TOKEN_INVALID', reason: 'Forbidden' };
    return { uin, token };
  }

  /** Relays one accepted socket until it closes; a newer socket of the account replaces it. */
  private async accept(ws: WebSocket, uin: number): Promise<void> {
    const { nc, ns, replicaId, log } = this.deps;
    const conn = randomUUID().replace(/-/g, '').slice(0, 16);
    const hello: RelayHello = { conn, replica: replicaId };
    const joiner = new FrameJoiner();
    const recent = new RecentEvents(this.deps.replay.windowMs, this.deps.replay.maxBytes);
    // Once its close is decided (token changed, replaced, relay failed) a socket relays nothing
    // and answers no worker's hello, whether or not its peer completes the close: a peer
    // holding a revoked token could otherwise go on speaking for the account meanwhile.
    const live = () => ws.readyState === ws.OPEN;
    const subs: Subscription[] = [
      nc.subscribe(ns.upstreamSubject(uin, 'out', conn), {
        callback: (err, msg) => {
          const frame = err ? undefined : joiner.push(msg);
          // Passed on as the bytes they are: a text frame, never decoded here.
          if (frame !== undefined && sendBounded(ws, frame, this.deps.maxBuffered))
            frames.inc({ direction: 'out' });
        },
      }),
      nc.subscribe(ns.upstreamSubject(uin, 'hello'), {
        callback: (err, msg) => {
          if (!err && live()) msg.respond(JSON.stringify(hello));
        },
      }),
      // The owner is subscribed to this socket's frames: it gets the recent events again (after
      // any live frame that beat its request; the stream drops what it has already).
      nc.subscribe(ns.upstreamSubject(uin, 'attach', conn), {
        callback: (err, msg) => {
          if (err || !live()) return;
          const again = recent.recent();
          try {
            for (const frame of again) publishFrame(nc, ns.upstreamSubject(uin, 'in', conn), frame);
            replayed.inc(again.length);
            msg.respond(JSON.stringify({ ...hello, replayed: again.length }));
          } catch (e) {
            log.warn({ err: e, uin }, 'recent upstream events not replayed');
          }
        },
      }),
      nc.subscribe(ns.upstreamSubject(uin, 'opened'), {
        callback: (err, msg) => {
          const other = err ? undefined : connOf(msg.string());
          if (other !== undefined && other !== conn && live())
            closeWithin(ws, 1000, 'replaced by a newer connection');
        },
      }),
    ];
    held.add(ws);
    ws.on('message', (data, isBinary) => {
      if (isBinary || !live()) return;
      recent.note(data as Buffer);
      try {
        publishFrame(nc, ns.upstreamSubject(uin, 'in', conn), data as Buffer);
        frames.inc({ direction: 'in' });
      } catch (err) {
        log.warn({ err, uin }, 'upstream frame not relayed');
      }
    });
    ws.on('error', err => log.debug({ err: err.message, uin }, 'upstream socket error'));
    ws.on('close', (code, reason) => {
      held.delete(ws);
      this.announced.delete(ws);
      for (const sub of subs) sub.unsubscribe();
      log.info({ uin, conn, code }, 'upstream disconnected');
      try {
        nc.publish(ns.upstreamSubject(uin, 'closed', conn), `${code} ${reason.toString()}`);
      } catch {
        // NATS is closing with the gateway; the owner's hello probe notices the socket is gone.
      }
    });
    await nc.flush();
    if (ws.readyState !== ws.OPEN) return;
    this.announced.set(ws, { uin, hello });
    this.announce(uin, hello);
    log.info({ uin, conn }, 'upstream connected by reverse WebSocket');
  }

  /** Stops relaying; the gateway then closes the sockets (upstreams reconnect elsewhere). */
  close(): void {
    clearInterval(this.pinger);
    this.offReconnect();
    this.offChange();
  }

  /** This replica's relayed upstream sockets. */
  sockets(): Iterable<WebSocket> {
    return this.wss.clients;
  }
}

function connOf(body: string): string | undefined {
  try {
    const conn = (JSON.parse(body) as Partial<RelayHello>).conn;
    return typeof conn === 'string' ? conn : undefined;
  } catch {
    return undefined;
  }
}
