/**
 * Every operation an account performs on the QQ side, as data: its arguments (read by the
 * lenient rules of wire.ts) and its result, one file per domain (ops/). The simulator checks
 * every call against this table before running it; `@cqfleet/sim-client` and the session's
 * drivers are typed by it. A new QQ-side operation is one entry in its domain's file plus its
 * implementations.
 */
import { z } from 'zod';
import { User } from './models.js';
import { op } from './op.js';
import { fileOps } from './ops/files.js';
import { groupOps } from './ops/groups.js';
import { guildOps } from './ops/guilds.js';
import { messageOps } from './ops/messages.js';
import { peopleOps } from './ops/people.js';
import { int, text } from './wire.js';

export type { OpSpec } from './op.js';

export const qqOps = {
  login: op(
    z.object({ uin: int, fence: int, resume_after: int, epoch: text }),
    z.object({ self: User, epoch: z.string(), last_seq: z.number(), protocol: z.number() }),
  ),
  ...peopleOps,
  ...groupOps,
  ...messageOps,
  ...fileOps,
  ...guildOps,
};

export type OpName = keyof typeof qqOps;

/** Every op with its arguments (as a caller writes them) and its result. */
export type Ops = {
  [K in OpName]: {
    args: z.input<(typeof qqOps)[K]['args']>;
    /** The arguments as the QQ side reads them (wire.ts rules applied). */
    parsed: z.output<(typeof qqOps)[K]['args']>;
    result: z.output<(typeof qqOps)[K]['result']>;
  };
};
