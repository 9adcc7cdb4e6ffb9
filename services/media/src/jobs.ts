/**
 * What media workers run: the media actions (job name = action name, typed by the action table)
 * and the internal jobs session workers add (@cqfleet/media-client `InternalJobs`).
 */
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { MediaJobData, MediaJobResult } from '@cqfleet/contracts';
import {
  type Handlers,
  isActionName,
  isOneBotError,
  OneBotError,
  parseParams,
} from '@cqfleet/onebot';
import { z } from 'zod';
import type { AddressGuard } from './address-guard.js';
import { touch } from './cache.js';
import {
  cachePath,
  type DownloadLimits,
  type DownloadProgress,
  downloadFile,
  downloadTo,
} from './download.js';
import { recognize } from './ocr.js';
import { prepareMedia } from './prepare.js';
import { convertRecord } from './record.js';
import { wordSlices } from './words.js';

export interface MediaContext {
  selfId: number;
  guard: AddressGuard;
  limits: DownloadLimits;
  /** Directories `file://` media may be read from (the cache is always one). */
  roots: string[];
  /** Largest video for sending. */
  videoMaxBytes: number;
  /** ffmpeg executable for voice conversion. */
  ffmpeg: string;
  /** Reports a long job's progress (BullMQ job progress and the log). */
  progress?: (p: DownloadProgress) => void;
}

export type MediaHandlers = Partial<Handlers<'media', MediaContext>>;

/** Images OCR reads at most (the seed's limit for images). */
const MAX_IMAGE_BYTES = 30 * 1024 * 1024;

export const mediaHandlers: MediaHandlers = {
  download_file: async (p, ctx) => ({
    file: await downloadFile(p.url, p.headers, ctx.guard, ctx.limits, {
      threads: p.thread_count,
      ...(ctx.progress ? { onProgress: ctx.progress } : {}),
    }),
  }),
  '.get_word_slices': async p => {
    try {
      return { slices: wordSlices(p.content) };
    } catch (err) {
      throw new OneBotError('WORD_SEGMENTATION_API_ERROR', (err as Error).message);
    }
  },
  /** Removes every file of the cache (files being written, `*.part`, are left alone). */
  clean_cache: async (_p, ctx) => {
    const names = await readdir(ctx.limits.cacheDir).catch(() => [] as string[]);
    for (const name of names) {
      if (name.endsWith('.part')) continue;
      const path = join(ctx.limits.cacheDir, name);
      if ((await stat(path).catch(() => undefined))?.isFile()) await rm(path, { force: true });
    }
    return null;
  },
};

/** A received media name: `<md5>.<ext>`, nothing that could leave the cache. */
const mediaName = z.string().regex(/^[0-9a-f]{32}\.[a-z0-9]{2,8}$/, 'a media name is <md5>.<ext>');

/**
 * A received media file by its name (`<md5>.<ext>`, named after its content): from the cache
 * when it is there, otherwise fetched from the QQ side.
 */
async function fetchReceived(url: string, name: string, ctx: MediaContext): Promise<string> {
  const target = join(ctx.limits.cacheDir, name);
  if (await touch(target)) return target;
  return downloadTo(url, undefined, ctx.guard, ctx.limits, target);
}

const internalJobs = {
  'media.prepare': {
    args: z.object({
      kind: z.enum(['image', 'video', 'record', 'cover']),
      file: z.string().min(1),
      cache: z.boolean().optional(),
      threads: z.number().int().min(1).max(16).optional(),
      upload: z.url({ protocol: /^https?$/ }).optional(),
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
    args: z.object({ url: z.string().optional(), base64: z.string().optional() }),
    run: async (a: { url?: string; base64?: string }, ctx: MediaContext) => {
      let image: Buffer;
      if (a.base64 !== undefined) image = Buffer.from(a.base64, 'base64');
      else if (a.url !== undefined)
        image = await readFile(
          await downloadTo(
            a.url,
            undefined,
            ctx.guard,
            ctx.limits,
            cachePath(ctx.limits.cacheDir, a.url),
          ),
        );
      else throw new OneBotError('LOAD_FILE_ERROR', '没有图片');
      if (image.length === 0 || image.length > MAX_IMAGE_BYTES)
        throw new OneBotError('LOAD_FILE_ERROR', '图片为空或超过 30 MB');
      try {
        return await recognize(image);
      } catch (err) {
        throw new OneBotError('OCR_API_ERROR', (err as Error).message ?? String(err));
      }
    },
  },
  'media.record': {
    args: z.object({ url: z.string(), name: mediaName, out_format: z.string() }),
    run: async (a: { url: string; name: string; out_format: string }, ctx: MediaContext) => {
      const source = await fetchReceived(a.url, a.name, ctx);
      const target = join(ctx.limits.cacheDir, `${a.name.replace(/\.[^.]+$/, '')}.${a.out_format}`);
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
      if (!args.success) throw new OneBotError('INVALID_PARAMS', args.error.issues[0]?.message);
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
    if (isOneBotError(err))
      return { ok: false, retcode: err.retcode, msg: err.msg, wording: err.wording };
    throw err;
  }
}
