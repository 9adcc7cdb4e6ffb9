/**
 * The driver side of the simulator: one WebSocket per account connection, ops answered from
 * the op table (see @cqfleet/sim-client protocol.ts for the frames). Fault injection: an
 * account's replies can be delayed (`faults.delayMs`).
 */
import { type Push, SimError } from '@cqfleet/sim-client';
import { describeJsonShape, jsonShapeProblem, type Logger, sendInTurn } from '@cqfleet/runtime';
import { WebSocket, WebSocketServer } from 'ws';
import type { AccountHub, DriverLink } from './account-hub.js';
import { int, type OpTable, opTable, runOp } from './world/ops.js';
import type { WorldState } from './world/state.js';

interface Session {
  uin?: number;
  /** Events to push right after the login reply (same tick, so nothing can overtake them). */
  replay: Push[];
}

export class DriverServer {
  readonly wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 * 1024 });
  private readonly ops: OpTable;

  constructor(
    private readonly world: WorldState,
    private readonly hub: AccountHub,
    private readonly log: Logger,
  ) {
    this.ops = opTable(world);
    this.wss.on('connection', ws => this.accept(ws));
  }

  private accept(ws: WebSocket): void {
    const session: Session = { replay: [] };
    const link: DriverLink = {
      send: (push: Push) => {
        if (ws.readyState === WebSocket.OPEN) sendInTurn(ws, JSON.stringify(push));
      },
      kick: (reason: string) => {
        link.send({ push: 'kicked', reason });
        ws.close(4001, reason.slice(0, 100));
      },
      drop: () => ws.terminate(),
    };
    const reply = (frame: unknown) => {
      if (ws.readyState === WebSocket.OPEN) sendInTurn(ws, JSON.stringify(frame));
    };
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      const text = data.toString();
      // A frame nested past any op's arguments would overflow the stack in the schemas' walk
      // (a forward's nodes are recursive), one of millions of values would hold the loop while
      // it is parsed: refused before it is parsed. Its id is not read.
      const shape = jsonShapeProblem(text);
      if (shape) {
        const message = `frame ${describeJsonShape(shape)}`;
        reply({ id: 0, ok: false, error: { code: 'BAD_REQUEST', message } });
        return;
      }
      let frame: { id?: unknown; op?: unknown; args?: unknown };
      try {
        const value: unknown = JSON.parse(text);
        // Only an object is a request; anything else (null, [], 42) is dropped.
        if (typeof value !== 'object' || value === null || Array.isArray(value)) return;
        frame = value;
      } catch {
        return;
      }
      const id = typeof frame.id === 'number' ? frame.id : 0;
      let answer: unknown;
      try {
        const args = (
          typeof frame.args === 'object' && frame.args !== null ? frame.args : {}
        ) as Record<string, unknown>;
        answer = { id, ok: true, result: this.handle(String(frame.op), args, session, link) };
      } catch (err) {
        const e = err instanceof SimError ? err : new SimError('UNKNOWN_ERROR', 'internal error');
        if (!(err instanceof SimError)) this.log.error({ err, op: frame.op }, 'op failed');
        answer = { id, ok: false, error: { code: e.code, message: e.message } };
      }
      const delay =
        session.uin === undefined || frame.op === 'login'
          ? 0
          : (this.world.users.get(session.uin)?.faults.delayMs ?? 0);
      const send = () => {
        reply(answer);
        for (const push of session.replay.splice(0)) link.send(push);
      };
      if (delay > 0) setTimeout(send, delay);
      else send();
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
      const uin = int(args.uin, 'uin');
      if (!this.world.isAccount(uin))
        throw new SimError('ACCOUNT_NOT_FOUND', `no account ${uin} in this world`);
      if (session.uin !== undefined) throw new SimError('BAD_REQUEST', 'already logged in');
      if (this.world.user(uin).faults.offline)
        throw new SimError(
          'DISCONNECTED',
          'the account cannot reach the network (fault injection)',
        );
      const resumeAfter = typeof args.resume_after === 'number' ? args.resume_after : 0;
      const epoch = typeof args.epoch === 'string' ? args.epoch : '';
      // Reply before replaying: the client learns the epoch, then receives missed events.
      const { lastSeq, replay } = this.hub.login(
        uin,
        int(args.fence, 'fence'),
        resumeAfter,
        epoch,
        link,
      );
      session.uin = uin;
      session.replay = replay;
      this.log.info({ uin, fence: args.fence, resumeAfter }, 'account logged in');
      return {
        self: { ...this.world.user(uin).profile },
        epoch: this.hub.epoch,
        last_seq: lastSeq,
        protocol: 6,
      };
    }
    if (session.uin === undefined) throw new SimError('NOT_LOGGED_IN', 'log in first');
    return runOp(this.ops, op, args, session.uin);
  }
}
