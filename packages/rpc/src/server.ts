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
 */
import { isOneBotError, OneBotError, toFailure } from '@cqfleet/onebot';
import {
  ActionReply,
  type ActionRequest,
  type ActionsServer,
  ActionsService,
} from '@cqfleet/proto';
import { counter, type GrpcService, histogram, type Logger, secondsSince } from '@cqfleet/runtime';
import { fitsMessage, fittingFailure, resultTooLarge } from './bounds.js';
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
}

export function actionsService(
  execute: Execute,
  log: Logger,
  options: ActionsServiceOptions = {},
): GrpcService {
  const maxMs = options.maxMs ?? 30_000;
  const implementation: ActionsServer = {
    call(stream) {
      let open = true;
      stream.on('data', (req: ActionRequest) => {
        void runAction(req, execute, log, maxMs).then(reply => {
          if (open) stream.write(reply);
        });
      });
      stream.on('end', () => {
        open = false;
        stream.end();
      });
      stream.on('error', (err: Error) => {
        open = false;
        log.debug({ err: err.message }, 'action stream error');
      });
      stream.on('cancelled', () => (open = false));
    },
    invoke(call, callback) {
      void runAction(call.request, execute, log, maxMs).then(reply => callback(null, reply));
    },
  };
  return { definition: ActionsService, implementation };
}
