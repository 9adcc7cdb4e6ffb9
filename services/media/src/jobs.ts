/** Media actions as BullMQ job handlers, typed by the action table. */
import type { MediaJobData, MediaJobResult } from '@cqfleet/contracts';
import {
  type ActionName,
  type Handlers,
  isActionName,
  isOneBotError,
  OneBotError,
  parseParams,
} from '@cqfleet/onebot';
import type { AddressGuard } from './address-guard.js';
import { type DownloadLimits, downloadFile } from './download.js';

export interface MediaContext {
  selfId: number;
  guard: AddressGuard;
  limits: DownloadLimits;
}

export type MediaHandlers = Partial<Handlers<'media', MediaContext>>;

export const mediaHandlers: MediaHandlers = {
  download_file: async (p, ctx) => ({
    file: await downloadFile(p.url, p.headers, ctx.guard, ctx.limits),
  }),
};

type AnyHandler = (params: unknown, ctx: MediaContext) => Promise<unknown>;

/**
 * Runs one job. OneBot failures complete the job with a failure result; other errors are
 * thrown so BullMQ retries the job (possibly on another worker).
 */
export async function runMediaJob(
  name: string,
  data: MediaJobData,
  ctx: Omit<MediaContext, 'selfId'>,
): Promise<MediaJobResult> {
  try {
    if (!isActionName(name)) throw new OneBotError('API_NOT_FOUND');
    const handler = mediaHandlers[name as ActionName & keyof MediaHandlers] as
      AnyHandler | undefined;
    if (!handler) throw new OneBotError('API_NOT_IMPLEMENTED');
    // Jobs may be added by any service; parameters are parsed again here, so a job is never
    // run with unchecked input.
    const params = parseParams(name, data.params);
    return { ok: true, data: await handler(params, { ...ctx, selfId: data.selfId }) };
  } catch (err) {
    if (isOneBotError(err))
      return { ok: false, retcode: err.retcode, msg: err.msg, wording: err.wording };
    throw err;
  }
}
