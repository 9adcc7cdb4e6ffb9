/**
 * Reading the QQ side's messages against the table, by total functions: a value that does not
 * fit is a `QQSideError` with a code and the first problem, never a thrown TypeError.
 */
import type { z } from 'zod';
import { QQEvent } from './events.js';
import { type OpName, type Ops, qqOps } from './ops.js';

/**
 * A failure of the QQ side's protocol: `BAD_REQUEST` (arguments that do not fit),
 * `BAD_REPLY` (a result that does not fit), `UNKNOWN_OP`; or a OneBot error tag the QQ side
 * answered with (GROUP_NOT_FOUND, NOT_MANAGEABLE …) and the protocol's own codes (`FENCED`,
 * `NOT_LOGGED_IN`, `DISCONNECTED`, `TIMEOUT`, `ACCOUNT_NOT_FOUND`).
 */
export class QQSideError extends Error {
  override readonly name = 'QQSideError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function isOpName(name: string): name is OpName {
  return Object.hasOwn(qqOps, name);
}

function problem(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join('.') || 'value'} ${issue.message}` : 'does not fit';
}

/** The arguments of `op` as the QQ side reads them, or BAD_REQUEST naming the field. */
export function parseArgs<K extends OpName>(op: K, raw: unknown): Ops[K]['parsed'] {
  const r = qqOps[op].args.safeParse(raw ?? {});
  if (!r.success) throw new QQSideError('BAD_REQUEST', `${op}: ${problem(r.error)}`);
  return r.data as Ops[K]['parsed'];
}

/**
 * The result of `op`, checked against the table (BAD_REPLY when it does not fit). What fits is
 * passed on as it came: fields the table does not name are kept, not stripped.
 */
export function parseResult<K extends OpName>(op: K, raw: unknown): Ops[K]['result'] {
  const r = qqOps[op].result.safeParse(raw);
  if (!r.success) throw new QQSideError('BAD_REPLY', `${op}: ${problem(r.error)}`);
  return raw as Ops[K]['result'];
}

/** An event of the QQ side, checked against its kind's schema (kept as it came), or why not. */
export function parseEvent(raw: unknown): QQEvent | string {
  const r = QQEvent.safeParse(raw);
  return r.success ? (raw as QQEvent) : problem(r.error);
}
