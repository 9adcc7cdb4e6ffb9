/**
 * What media workers run: the media actions (job name = action name, typed by the action table;
 * handlers in handlers/) and the internal jobs session workers add (@cqfleet/media-client
 * `InternalJobs`).
 */
import { stat } from 'node:fs/promises';
import type { MediaJobData, MediaJobResult } from '@cqfleet/contracts';
import { isActionName, isOneBotError, OneBotError, parseParams } from '@cqfleet/onebot';
import { z } from 'zod';
import { touch } from './cache.js';
import { receivedPath } from './cache-key.js';
import { downloadTo } from './download.js';
import { mediaHandlers } from './handlers/index.js';
import { recognize } from './ocr.js';
import { prepareMedia } from './prepare.js';
import { convertRecord, RECORD_FORMATS } from './record.js';
import { countRefusal, Refusal } from './refusals.js';
import { ocrImage } from './sources.js';
import type { MediaContext } from './types.js';

/** A received media name: `<md5>.<ext>`, nothing that could leave the cache. */
const mediaName = z.string().regex(/^[0-9a-f]{32}\.[a-z0-9]{2,8}$/, 'a media name is <md5>.<ext>');

/**
 * A received media file (`name`, `<md5>.<ext>`, gives only the extension): from the cache when
 * this account fetched the same URL before, otherwise fetched from the QQ side. Kept under a
 * name of the account and the URL (cache-key.ts `receivedPath`), never under the name the QQ
 * side gave: that name is not checked against the content, and an upstream implementation may
 * give one that a send of another account reads (`<md5(url)>.cache`, `<md5(bytes)>.image`).
 */
async function fetchReceived(url: string, name: string, ctx: MediaContext): Promise<string> {
  const target = receivedPath(ctx.limits.cacheDir, ctx.selfId, url, name);
  if (await touch(target)) return target;
  return downloadTo(url, undefined, ctx.guard, ctx.limits, target);
}

const internalJobs = {
  'media.prepare': {
    args: z.object({
      kind: z.enum(['image', 'video', 'record', 'cover', 'file']),
      file: z.string().min(1),
      cache: z.boolean().optional(),
      threads: z.number().int().min(1).max(16).optional(),
      payload: z.uuid().optional(),
      upload: z.url({ protocol: /^https?$/ }).optional(),
      inline: z.boolean().optional(),
      maxBytes: z.number().int().positive().optional(),
    }),
    run: prepareMedia,
  },
  'media.fetch': {
    args: z.object({ url: z.string(), name: mediaName }),
    run: async (a: { url: string; name: string }, ctx: MediaContext) => {
      const file = await fetchReceived(a.url, a.name, ctx);
      return { file, size: (await stat(file)).size };
    },
  },
  'media.ocr': {
    args: z.object({
      url: z.string().optional(),
      base64: z.string().optional(),
      file: z.string().max(4096).optional(),
      payload: z.uuid().optional(),
    }),
    run: async (
      a: { url?: string; base64?: string; file?: string; payload?: string },
      ctx: MediaContext,
    ) => {
      // Never more than the seed's 30 MB in memory, however the image is given (sources.ts).
      const image = await ocrImage(a, ctx);
      if (image.length === 0) throw new OneBotError('LOAD_FILE_ERROR', '图片为空');
      try {
        return await recognize(image, ctx.ocrData);
      } catch (err) {
        // An image refused before tesseract (undecodable, too many pixels) keeps its failure.
        if (isOneBotError(err)) throw err;
        throw new OneBotError('OCR_API_ERROR', (err as Error).message ?? String(err));
      }
    },
  },
  'media.record': {
    // out_format names a file in the cache: only the known formats, checked before any path
    // is built (or anything fetched).
    args: z.object({
      url: z.string(),
      name: mediaName,
      out_format: z.enum(RECORD_FORMATS, {
        error: `out_format 必须是 ${RECORD_FORMATS.join('、')} 之一`,
      }),
    }),
    run: async (a: { url: string; name: string; out_format: string }, ctx: MediaContext) => {
      const source = await fetchReceived(a.url, a.name, ctx);
      // Beside the fetched voice, under the same account-and-URL name.
      const target = source.replace(/\.[a-z0-9]+$/, `.${a.out_format}`);
      if (!(await touch(target))) await convertRecord(source, target, a.out_format, ctx.ffmpeg);
      return { file: target };
    },
  },
} as const;

type InternalName = keyof typeof internalJobs;

/**
 * Runs one job. OneBot failures complete the job with a failure result; other errors are
 * thrown so BullMQ retries the job (possibly on another worker).
 */
export async function runMediaJob(
  name: string,
  data: MediaJobData,
  ctx: Omit<MediaContext, 'selfId'>,
): Promise<MediaJobResult> {
  const context: MediaContext = { ...ctx, selfId: data.selfId };
  try {
    if (Object.hasOwn(internalJobs, name)) {
      const job = internalJobs[name as InternalName];
      const args = job.args.safeParse(data.params);
      if (!args.success)
        throw new Refusal('invalid_params', 'INVALID_PARAMS', args.error.issues[0]?.message);
      return {
        ok: true,
        data: await (job.run as (a: unknown, c: MediaContext) => Promise<unknown>)(
          args.data,
          context,
        ),
      };
    }
    if (!isActionName(name)) throw new OneBotError('API_NOT_FOUND');
    const handler = (
      mediaHandlers as Record<
        string,
        ((p: unknown, c: MediaContext) => Promise<unknown>) | undefined
      >
    )[name];
    if (!handler) throw new OneBotError('API_NOT_IMPLEMENTED');
    // Jobs may be added by any service; parameters are parsed again here, so a job is never
    // run with unchecked input.
    return { ok: true, data: await handler(parseParams(name, data.params), context) };
  } catch (err) {
    countRefusal(err);
    if (isOneBotError(err))
      return { ok: false, retcode: err.retcode, msg: err.msg, wording: err.wording };
    throw err;
  }
}
