/**
 * @cqfleet/qq-side — the QQ side as a contract: every operation an account performs on the QQ
 * network (`qqOps`: arguments and result as zod schemas) and every event it receives
 * (`QQEvent`), with the types derived from them.
 *
 * ```ts
 * const args = parseArgs('get_member', raw); // throws QQSideError('BAD_REQUEST', …)
 * const reply = qqOps.get_member.result.parse(answer);
 * ```
 */
export type { QQEventKind } from './events.js';
export { QQEvent } from './events.js';
export * from './models.js';
export type { OpName, Ops, OpSpec } from './ops.js';
export { qqOps } from './ops.js';
export { fileOps } from './ops/files.js';
export { groupOps } from './ops/groups.js';
export { guildOps } from './ops/guilds.js';
export { messageOps } from './ops/messages.js';
export { peopleOps } from './ops/people.js';
export { isOpName, parseArgs, parseEvent, parseResult, QQSideError } from './parse.js';
export { elements, flag, int, optInt, role, segments, sex, text } from './wire.js';
