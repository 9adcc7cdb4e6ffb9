/**
 * Serving actions over gRPC: a service owner (session worker, history) supplies one `execute`
 * function; this adapter runs it for every request on the multiplexed `Call` stream and on
 * `Invoke`, bounds it by the request's deadline (answering TIMEOUT then, and firing the
 * AbortSignal it gave `execute` so the work stops too), and turns the outcome into an
 * ActionReply.
 *
 * Failures travel as data (retcode, msg, wording), never as gRPC status. Thrown `OneBotError`s
 * keep their tag; anything else is logged with its stack and answered INTERNAL_ERROR. A reply
 * that would not fit in one gRPC message is answered as this call's failure (bounds.ts):
 * written, it would end the stream every other call to this owner shares.
 * Throw `Refused` to say "not executed" (e.g. the worker does not own the account), which tells
 * the caller it may retry elsewhere.
 *
 * Backpressure on the `Call` stream: replies are written in the order their work ends, and
 * those written but not yet passed on to the network (grpc-js has not called the write back:
 * HTTP/2 flow control holds them while the caller does not read) are counted in bytes. Past
 * `maxUnsentBytes` per stream, a reply carrying data (over 1 KiB) is answered RESULT_TOO_LARGE
 * instead (the action ran; its result is let go), so a caller that reads slowly or not at all
 * holds a bounded amount of this process's memory, not every result computed for it. One
 * account's replies take at most a quarter of the bound (ACCOUNT_SHARE): the stream carries
 * every tenant's calls, and one tenant's large results must not shed the others'. A reply
 * is always written when nothing is unsent, so one as large as a gRPC message still goes out.
 * Counting bytes rather than waiting for 'drain' keeps replies in the order their work ended
 * without a queue of our own: grpc-js's object-mode stream would report full only past 16
 * replies, whatever their size. `cqfleet_rpc_replies_unsent_bytes` and
 * `cqfleet_rpc_replies_shed_total` show it.
 */
import { isOneBotError, OneBotError, toFailure } from '@cqfleet/onebot';
import {
  ActionReply,
  type ActionRequest,
  type ActionsServer,
  ActionsService,
} from '@cqfleet/proto';
import {
  counter,
  gauge,
  type GrpcService,
  histogram,
  type Logger,
  secondsSince,
} from '@cqfleet/runtime';
import { fitsMessage, fittingFailure, MAX_MESSAGE_BYTES, resultTooLarge } from './bounds.js';
import { actionLabel, failureLabel, retcodeLabel } from './labels.js';

/** The request was turned away before anything happened. */
export class Refused extends Error {
  override readonly name = 'Refused';
  constructor(readonly error: OneBotError) {
    super(error.message);
  }
}

/**
 * Runs one request. `signal` fires (its reason a TIMEOUT OneBotError) when the request's deadline
 * has passed and the caller has been answered TIMEOUT: work still going on is for nobody, and
 * loops over a message's parts check it between steps and stop.
 */
export type Execute = (req: ActionRequest, signal: AbortSignal) => Promise<unknown>;

const EMPTY = Buffer.alloc(0);

const actions = counter(
  'cqfleet_actions_total',
  'Actions served over gRPC, by action (unknown: not in the table), retcode and result (ok, or the failure tag); other: a retcode or tag not in the catalogue',
  ['action', 'retcode', 'result'],
);
const repliesShed = counter(
  'cqfleet_rpc_replies_shed_total',
  'Action replies answered RESULT_TOO_LARGE instead of their data because the caller had not read maxUnsentBytes of earlier replies on its stream',
);
/** Bytes of replies written on every `Call` stream of this process and not yet sent. */
let unsentBytes = 0;
gauge(
  'cqfleet_rpc_replies_unsent_bytes',
  'Bytes of action replies written and not yet sent on all Call streams (callers reading slowly), each stream bounded by maxUnsentBytes',
  [],
  function () {
    this.set(unsentBytes);
  },
);
const actionSeconds = histogram('cqfleet_action_seconds', 'Time to serve an action over gRPC', [
  'action',
]);

/** A deadline: `promise` rejects and `signal` fires together, with the same TIMEOUT. */
function timeout(ms: number): { promise: Promise<never>; signal: AbortSignal; cancel(): void } {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<never>((_r, reject) => {
    timer = setTimeout(() => {
      const reason = new OneBotError('TIMEOUT', `操作超过 ${ms} ms 未完成`);
      reject(reason);
      controller.abort(reason);
    }, ms);
  });
  return { promise, signal: controller.signal, cancel: () => clearTimeout(timer) };
}

/** Runs one request and never rejects: every outcome becomes a reply. */
export async function runAction(
  req: ActionRequest,
  execute: Execute,
  log: Logger,
  maxMs: number,
): Promise<ActionReply> {
  const limit = timeout(req.deadlineMs > 0 ? Math.min(req.deadlineMs, maxMs) : maxMs);
  const started = performance.now();
  let result = 'ok';
  let retcode = 0;
  try {
    const data = await Promise.race([execute(req, limit.signal), limit.promise]);
    const dataJson = Buffer.from(JSON.stringify(data ?? null));
    if (!fitsMessage(dataJson)) throw resultTooLarge(dataJson.length);
    return ActionReply.fromPartial({ callId: req.callId, retcode: 0, dataJson, executed: true });
  } catch (err) {
    const refused = err instanceof Refused;
    const cause = refused ? err.error : err;
    if (!isOneBotError(cause))
      log.error(
        { err: cause, action: req.action.slice(0, 100), selfId: req.selfId },
        'action failed',
      );
    const f = fittingFailure(toFailure(cause));
    result = failureLabel(f.msg);
    retcode = f.retcode;
    return ActionReply.fromPartial({
      callId: req.callId,
      retcode: f.retcode,
      dataJson: EMPTY,
      msg: f.msg,
      wording: f.wording,
      executed: !refused,
    });
  } finally {
    limit.cancel();
    const action = actionLabel(req.action);
    actions.inc({ action, retcode: retcodeLabel(retcode), result });
    actionSeconds.observe({ action }, secondsSince(started));
  }
}

export interface ActionsServiceOptions {
  /** Upper bound for any action, whatever deadline the caller asked for. @default 30 s */
  maxMs?: number;
  /**
   * Bytes of replies one `Call` stream may have written and not yet sent (the caller reads
   * slowly); past it replies with data are answered RESULT_TOO_LARGE. Two gRPC messages: one
   * reply as large as they come may be on its way while others still go out.
   * @default 2 × MAX_MESSAGE_BYTES (128 MiB)
   */
  maxUnsentBytes?: number;
}

/**
 * Replies with no more data than this always go out, past the bound too: the failure sent
 * instead would be as large. Their number is the caller's calls in flight, which it bounds.
 */
const SMALL_REPLY_BYTES = 1_024;

/** The part of a stream's bound of unsent replies one account's replies may take. */
const ACCOUNT_SHARE = 1 / 4;

/** What a reply takes, near enough: its variable fields and an envelope. */
function replyBytes(reply: ActionReply): number {
  return reply.dataJson.length + reply.msg.length * 3 + reply.wording.length * 3 + 64;
}

/**
 * The replies of one `Call` stream (see the top of the file): written in order, the bytes not
 * yet sent bounded by `maxBytes`.
 */
class ReplyWriter {
  private unsent = 0;
  /** Unsent bytes by account: one account takes at most ACCOUNT_SHARE of the bound. */
  private readonly unsentOf = new Map<number, number>();
  /** False once no more replies are written (the caller ended its side, or the stream is gone). */
  open = true;
  private closed = false;

  constructor(
    private readonly stream: { write(reply: ActionReply, done: () => void): boolean },
    private readonly maxBytes: number,
  ) {}

  /**
   * Writes `reply` of a call of account `selfId`. Shed (RESULT_TOO_LARGE instead) when it has
   * data and would take the stream past its bound, or the account past its share of it: the
   * stream is every tenant's, and one account's large results must not shed everyone's.
   */
  write(reply: ActionReply, selfId = 0): void {
    if (!this.open) return;
    let out = reply;
    let bytes = replyBytes(reply);
    const mine = this.unsentOf.get(selfId) ?? 0;
    if (
      reply.dataJson.length > SMALL_REPLY_BYTES &&
      ((this.unsent > 0 && this.unsent + bytes > this.maxBytes) ||
        (mine > 0 && mine + bytes > this.maxBytes * ACCOUNT_SHARE))
    ) {
      repliesShed.inc();
      const f = toFailure(
        new OneBotError(
          'RESULT_TOO_LARGE',
          `调用方读取缓慢, 已有 ${this.unsent} 字节的结果未发出, 本次结果 (${reply.dataJson.length} 字节) 无法返回`,
        ),
      );
      out = ActionReply.fromPartial({
        callId: reply.callId,
        retcode: f.retcode,
        dataJson: EMPTY,
        msg: f.msg,
        wording: f.wording,
        executed: true,
      });
      bytes = replyBytes(out);
    }
    this.unsent += bytes;
    unsentBytes += bytes;
    this.unsentOf.set(selfId, (this.unsentOf.get(selfId) ?? 0) + bytes);
    // Called back once grpc-js passed the reply on, or with an error when the stream is gone
    // (grpc-js does not call back a write on a cancelled call: `close` settles those).
    this.stream.write(out, () => {
      if (this.closed) return;
      this.unsent -= bytes;
      unsentBytes -= bytes;
      const left = (this.unsentOf.get(selfId) ?? 0) - bytes;
      if (left > 0) this.unsentOf.set(selfId, left);
      else this.unsentOf.delete(selfId);
    });
  }

  /** The stream is gone: what it still held is no longer counted. */
  close(): void {
    this.open = false;
    if (this.closed) return;
    this.closed = true;
    unsentBytes -= this.unsent;
    this.unsent = 0;
    this.unsentOf.clear();
  }
}

export function actionsService(
  execute: Execute,
  log: Logger,
  options: ActionsServiceOptions = {},
): GrpcService {
  const maxMs = options.maxMs ?? 30_000;
  const maxUnsentBytes = options.maxUnsentBytes ?? 2 * MAX_MESSAGE_BYTES;
  const implementation: ActionsServer = {
    call(stream) {
      const replies = new ReplyWriter(stream, maxUnsentBytes);
      stream.on('data', (req: ActionRequest) => {
        void runAction(req, execute, log, maxMs).then(reply => replies.write(reply, req.selfId));
      });
      stream.on('end', () => {
        replies.open = false;
        stream.end();
      });
      stream.on('error', (err: Error) => {
        replies.close();
        log.debug({ err: err.message }, 'action stream error');
      });
      stream.on('cancelled', () => replies.close());
      stream.on('close', () => replies.close());
    },
    invoke(call, callback) {
      void runAction(call.request, execute, log, maxMs).then(reply => callback(null, reply));
    },
  };
  return { definition: ActionsService, implementation };
}
