/**
 * The driver side of the simulator: one WebSocket per account connection, ops answered by the
 * world (see @cqfleet/sim-client protocol.ts for the frames).
 */
import type { Segment } from '@cqfleet/onebot';
import { type OpName, type Ops, type Push, SimError } from '@cqfleet/sim-client';
import type { Logger } from '@cqfleet/runtime';
import { WebSocket, WebSocketServer } from 'ws';
import type { AccountHub, DriverLink } from './account-hub.js';
import type { World } from './world.js';

interface Session {
  uin?: number;
  /** Events to push right after the login reply (same tick, so nothing can overtake them). */
  replay: Push[];
  /** Counters the simulator keeps per connection (packets in both directions). */
  packets: number;
}

type OpHandler<K extends OpName> = (args: Ops[K]['args'], session: Session) => Ops[K]['result'];

function num(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value))
    throw new SimError('BAD_REQUEST', `${name} must be an integer`);
  return value;
}

function elements(value: unknown): Segment[] {
  if (!Array.isArray(value)) throw new SimError('BAD_REQUEST', 'elements must be an array');
  return value as Segment[];
}

export class DriverServer {
  readonly wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 * 1024 });

  constructor(
    private readonly world: World,
    private readonly hub: AccountHub,
    private readonly log: Logger,
  ) {
    this.wss.on('connection', ws => this.accept(ws));
  }

  private readonly ops: { [K in OpName]: OpHandler<K> } = {
    login: () => {
      throw new SimError('BAD_REQUEST', 'already logged in');
    },
    get_friends: (_a, s) => this.world.friendsOf(this.self(s)),
    get_user: a => this.world.getUser(num(a.user_id, 'user_id')),
    get_groups: (_a, s) => this.world.groupsOf(this.self(s)),
    get_group: (a, s) => this.world.getGroup(this.self(s), num(a.group_id, 'group_id')),
    get_members: (a, s) => this.world.getMembers(this.self(s), num(a.group_id, 'group_id')),
    get_member: (a, s) =>
      this.world.getMember(this.self(s), num(a.group_id, 'group_id'), num(a.user_id, 'user_id')),
    send_group_msg: (a, s) => {
      const { seq, time } = this.world.postGroupMessage(
        this.self(s),
        num(a.group_id, 'group_id'),
        elements(a.elements),
      );
      return { seq, time };
    },
    send_private_msg: (a, s) => {
      const { seq, time } = this.world.postPrivateMessage(
        this.self(s),
        num(a.user_id, 'user_id'),
        elements(a.elements),
      );
      return { seq, time };
    },
  };

  private self(s: Session): number {
    if (s.uin === undefined) throw new SimError('NOT_LOGGED_IN', 'log in first');
    return s.uin;
  }

  private accept(ws: WebSocket): void {
    const session: Session = { packets: 0, replay: [] };
    const link: DriverLink = {
      send: (push: Push) => {
        if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(push));
      },
      kick: (reason: string) => {
        link.send({ push: 'kicked', reason });
        ws.close(4001, reason.slice(0, 100));
      },
    };
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      session.packets++;
      let frame: { id?: unknown; op?: unknown; args?: unknown };
      try {
        frame = JSON.parse(data.toString()) as typeof frame;
      } catch {
        return;
      }
      const id = typeof frame.id === 'number' ? frame.id : 0;
      try {
        const result = this.handle(
          String(frame.op),
          (frame.args ?? {}) as Record<string, unknown>,
          session,
          link,
        );
        ws.send(JSON.stringify({ id, ok: true, result }));
        for (const push of session.replay.splice(0)) link.send(push);
      } catch (err) {
        const e = err instanceof SimError ? err : new SimError('UNKNOWN_ERROR', String(err));
        if (!(err instanceof SimError)) this.log.error({ err, op: frame.op }, 'op failed');
        ws.send(JSON.stringify({ id, ok: false, error: { code: e.code, message: e.message } }));
      }
    });
    ws.on('close', () => {
      if (session.uin !== undefined) {
        this.hub.logout(session.uin, link);
        this.log.info({ uin: session.uin }, 'account disconnected');
      }
    });
    ws.on('error', err => this.log.warn({ err: err.message }, 'driver socket error'));
  }

  private handle(
    op: string,
    args: Record<string, unknown>,
    session: Session,
    link: DriverLink,
  ): unknown {
    if (op === 'login') {
      const uin = num(args.uin, 'uin');
      if (!this.world.isAccount(uin))
        throw new SimError('ACCOUNT_NOT_FOUND', `no account ${uin} in this world`);
      if (session.uin !== undefined) throw new SimError('BAD_REQUEST', 'already logged in');
      const resumeAfter = typeof args.resume_after === 'number' ? args.resume_after : 0;
      const epoch = typeof args.epoch === 'string' ? args.epoch : '';
      // Reply before replaying: the client learns the epoch, then receives missed events.
      const { lastSeq, replay } = this.hub.login(
        uin,
        num(args.fence, 'fence'),
        resumeAfter,
        epoch,
        link,
      );
      session.uin = uin;
      session.replay = replay;
      this.log.info({ uin, fence: args.fence, resumeAfter }, 'account logged in');
      return {
        self: this.world.getUser(uin),
        epoch: this.hub.epoch,
        last_seq: lastSeq,
        protocol: 6,
      };
    }
    if (!Object.hasOwn(this.ops, op)) throw new SimError('BAD_REQUEST', `unknown op ${op}`);
    const handler = this.ops[op as OpName] as (a: unknown, s: Session) => unknown;
    return handler(args, session);
  }
}
