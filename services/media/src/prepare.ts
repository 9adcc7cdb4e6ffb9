/**
 * `media.prepare`: media a client sends (image, video, record, a video's cover), made ready
 * for the QQ side — the way a QQ client uploads media before the message that names it.
 *
 * 1. The source becomes a file: `http(s)://` is downloaded into the cache (`<md5(url)>.cache`,
 *    reused unless `cache` is false, `threads` connections — the seed's `cache` and `c`) and
 *    stops at the kind's cap; `base64://` bytes (stored beside the job by the media client,
 *    `payload`, or inline from an older producer) are written into the cache, their size
 *    checked before they are read or decoded; `file://` and absolute paths are read only under
 *    the configured roots (the cache is always one, so `download_file` results can be sent).
 * 2. The seed's limits are checked: images (and covers) at most 30 MB, GIFs at most 300
 *    frames, videos at most MEDIA_VIDEO_MAX_BYTES, covers must be JPEG; images must decode as
 *    images and videos must look like a video container.
 * 3. The content's md5 names it (`<md5>.image`, `.video`, `.amr`); with `upload`, the QQ side's
 *    upload URL, the bytes are sent there unless the QQ side already has them.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { InternalJobs } from '@cqfleet/media-client';
import { OneBotError } from '@cqfleet/onebot';
import { localFile, pathOf } from '@cqfleet/runtime';
import sharp from 'sharp';
import { touch } from './cache.js';
import { cachePath } from './cache-key.js';
import { TooLargeError } from './body-writer.js';
import { downloadTo } from './download.js';
import { IMAGE_MAX_BYTES, Refusal } from './refusals.js';
import { inlineBase64, payloadBytes, readCapped } from './sources.js';
import type { MediaContext } from './types.js';

/** The job's contract lives with the client that adds it (@cqfleet/media-client). */
export type PrepareArgs = InternalJobs['media.prepare']['args'];
export type Prepared = InternalJobs['media.prepare']['result'];
export type PrepareKind = PrepareArgs['kind'];

const GIF_MAX_FRAMES = 300;
const EXT: Record<PrepareKind, string> = {
  image: 'image',
  cover: 'image',
  video: 'video',
  record: 'amr',
  file: 'file',
};
/** How long inline bytes wait for the caller that asked for them. */
const INLINE_TTL_MS = 60_000;

function capOf(a: PrepareArgs, ctx: MediaContext): number {
  const kind =
    a.kind === 'image' || a.kind === 'cover'
      ? IMAGE_MAX_BYTES
      : a.kind === 'video'
        ? ctx.videoMaxBytes
        : ctx.limits.maxBytes;
  return Math.min(kind, a.maxBytes ?? Infinity);
}

const KIND_WORD: Record<PrepareKind, string> = {
  image: '图片',
  cover: '图片',
  video: '视频',
  record: '语音',
  file: '文件',
};

const tooLarge = (kind: PrepareKind, cap: number) =>
  new Refusal('media_too_large', 'MEDIA_TOO_LARGE', `${KIND_WORD[kind]}大小不能超过 ${cap} 字节`);

export async function prepareMedia(a: PrepareArgs, ctx: MediaContext): Promise<Prepared> {
  const cap = capOf(a, ctx);
  const path = await load(a, ctx, cap);
  const size = (await stat(path)).size;
  if (size > cap) throw tooLarge(a.kind, cap);
  const meta = a.kind === 'image' || a.kind === 'cover' ? await checkImage(a.kind, path) : {};
  if (a.kind === 'video') await checkVideo(path);
  const md5 = await fileMd5(path);
  const name = `${md5}.${EXT[a.kind]}`;
  const uploaded = a.upload ? await upload(a.upload, name, path, size) : false;
  const payload = a.inline ? await inlineBytes(path, cap, a.kind, ctx) : undefined;
  return { name, md5, size, ...meta, uploaded, ...(payload ? { payload } : {}) };
}

/** The checked file's bytes, stored beside the result for the caller to take (MediaClient.inline). */
async function inlineBytes(
  path: string,
  cap: number,
  kind: PrepareKind,
  ctx: MediaContext,
): Promise<string> {
  if (!ctx.payloads) throw new OneBotError('INTERNAL_ERROR', '媒体服务未连接负载存储');
  const bytes = await readCapped(path, cap, c => tooLarge(kind, c));
  const id = randomUUID();
  await ctx.payloads.put(id, bytes, INLINE_TTL_MS);
  return id;
}

/** The source as a local file: in the cache, or under a configured root. */
async function load(a: PrepareArgs, ctx: MediaContext, cap: number): Promise<string> {
  const { file } = a;
  if (/^https?:\/\//i.test(file)) {
    const target = cachePath(ctx.limits.cacheDir, file);
    if (a.cache !== false && (await touch(target))) return target;
    try {
      return await downloadTo(
        file,
        undefined,
        ctx.guard,
        { ...ctx.limits, maxBytes: Math.min(cap, ctx.limits.maxBytes) },
        target,
        { threads: a.threads ?? 1, ...(ctx.progress ? { onProgress: ctx.progress } : {}) },
      );
    } catch (err) {
      throw err instanceof TooLargeError ? tooLarge(a.kind, cap) : err;
    }
  }
  if (file.startsWith('base64://')) {
    const refuse = (c: number) => tooLarge(a.kind, c);
    const bytes =
      a.payload !== undefined
        ? await payloadBytes(ctx.payloads, a.payload, cap, refuse)
        : inlineBase64(file.slice(9), cap, refuse);
    const target = join(
      ctx.limits.cacheDir,
      `${createHash('md5').update(bytes).digest('hex')}.${EXT[a.kind]}`,
    );
    if (!(await touch(target))) await writeWhole(target, bytes);
    return target;
  }
  const path = pathOf(file);
  const found = path ? await localFile([...ctx.roots, ctx.limits.cacheDir], path) : undefined;
  if (!found) throw new OneBotError('LOAD_FILE_ERROR', `无法读取 ${file.slice(0, 100)}`);
  return found.path;
}

async function writeWhole(target: string, bytes: Buffer): Promise<void> {
  const temp = join(dirname(target), `.${randomBytes(8).toString('hex')}.part`);
  try {
    // The service creates the cache at start; an operator may have emptied the volume since.
    await mkdir(dirname(target), { recursive: true });
    await writeFile(temp, bytes);
    await rename(temp, target);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

async function checkImage(
  kind: PrepareKind,
  path: string,
): Promise<Pick<Prepared, 'format' | 'width' | 'height' | 'frames'>> {
  let meta: sharp.Metadata;
  try {
    meta = await sharp(path).metadata();
  } catch {
    throw new OneBotError('LOAD_FILE_ERROR', '无法识别的图片格式');
  }
  const frames = meta.pages ?? 1;
  if (kind === 'cover' && meta.format !== 'jpeg')
    throw new OneBotError('COVER_NOT_JPEG', `视频封面格式必须为jpg, 收到 ${meta.format}`);
  if (meta.format === 'gif' && frames > GIF_MAX_FRAMES)
    throw new OneBotError('GIF_TOO_MANY_FRAMES', `gif总帧数不能超过300帧, 收到 ${frames} 帧`);
  return {
    format: meta.format,
    width: meta.width,
    height: meta.pageHeight ?? meta.height,
    frames,
  };
}

/** Video containers QQ takes: MP4/MOV (`ftyp`), Matroska/WebM, AVI, FLV. */
async function checkVideo(path: string): Promise<void> {
  const handle = await open(path, 'r');
  const head = Buffer.alloc(12);
  try {
    await handle.read(head, 0, 12, 0);
  } finally {
    await handle.close();
  }
  const ok =
    head.toString('latin1', 4, 8) === 'ftyp' ||
    head.readUInt32BE(0) === 0x1a45dfa3 ||
    (head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 11) === 'AVI') ||
    head.toString('latin1', 0, 3) === 'FLV';
  if (!ok) throw new OneBotError('LOAD_FILE_ERROR', '无法识别的视频格式');
}

async function fileMd5(path: string): Promise<string> {
  const hash = createHash('md5');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/** HEAD `<url>/<name>`: 200 means the QQ side has it; otherwise PUT the bytes. */
async function upload(base: string, name: string, path: string, size: number): Promise<boolean> {
  const url = new URL(`${base.replace(/\/$/, '')}/${name}`);
  if ((await send(url, 'HEAD')) === 200) return false;
  const status = await send(url, 'PUT', path, size);
  if (status < 200 || status >= 300)
    throw new OneBotError('UPLOAD_MEDIA_ERROR', `上传失败: QQ 端返回 ${status}`);
  return true;
}

function send(url: URL, method: 'HEAD' | 'PUT', path?: string, size?: number): Promise<number> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<number>((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        timeout: 60_000,
        headers: path ? { 'content-length': size, 'content-type': 'application/octet-stream' } : {},
      },
      res => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('upload timed out')));
    req.on('error', reject);
    if (path) pipeline(createReadStream(path), req).catch(reject);
    else req.end();
  }).catch((err: unknown) => {
    throw new OneBotError('UPLOAD_MEDIA_ERROR', `上传失败: ${(err as Error).message}`);
  });
}
