/**
 * Bytes a job reads into memory, never more than the job's cap: a producer's stored payload
 * (its size is asked of Redis before it is read), inline base64 (its decoded size is known
 * from its length before it is decoded), a cached file (read through one descriptor, after
 * checking that descriptor's size, a client's local image for OCR too), and an image for OCR by
 * URL (downloaded under the image cap, so the transfer stops there).
 */
import { open } from 'node:fs/promises';
import { base64Size, base64Text, type PayloadStore } from '@cqfleet/media-client';
import { OneBotError } from '@cqfleet/onebot';
import { localFile, pathOf } from '@cqfleet/runtime';
import { cachePath } from './cache-key.js';
import { TooLargeError } from './body-writer.js';
import { downloadTo } from './download.js';
import { IMAGE_MAX_BYTES, Refusal } from './refusals.js';
import type { MediaContext } from './types.js';

/** An image over `cap` (the seed's 30 MB unless the download cap is lower). */
export const imageTooLarge = (cap: number) =>
  new Refusal('media_too_large', 'MEDIA_TOO_LARGE', `图片大小不能超过 ${cap} 字节`);

/** The bytes a producer stored for this job (`payload` in its parameters). */
export async function payloadBytes(
  payloads: PayloadStore | undefined,
  id: string,
  cap: number,
  tooLarge: (cap: number) => OneBotError,
): Promise<Buffer> {
  const gone = () =>
    new Refusal('payload_missing', 'LOAD_FILE_ERROR', '媒体数据已过期, 请重新发送');
  if (!payloads) throw gone();
  const size = await payloads.size(id);
  if (size === 0) throw gone();
  if (size > cap) throw tooLarge(cap);
  const bytes = await payloads.get(id);
  if (!bytes) throw gone();
  return bytes;
}

/** Inline base64 (from a producer that did not store it), decoded only when within `cap`. */
export function inlineBase64(
  raw: string,
  cap: number,
  tooLarge: (cap: number) => OneBotError,
): Buffer {
  const text = base64Text(raw);
  if (base64Size(text) > cap) throw tooLarge(cap);
  return Buffer.from(text, 'base64');
}

/** A file's bytes when it holds at most `cap`; its size is that of the descriptor read. */
export async function readCapped(
  path: string,
  cap: number,
  tooLarge: (cap: number) => OneBotError,
): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    if (size > cap) throw tooLarge(cap);
    const bytes = Buffer.alloc(size);
    let at = 0;
    while (at < size) {
      const { bytesRead } = await handle.read(bytes, at, size - at, at);
      if (bytesRead === 0) break;
      at += bytesRead;
    }
    return bytes.subarray(0, at);
  } finally {
    await handle.close();
  }
}

/**
 * The image `media.ocr` reads: stored bytes, inline base64, a local file under the file roots
 * (or the cache), or a URL downloaded capped.
 */
export async function ocrImage(
  a: { url?: string; base64?: string; file?: string; payload?: string },
  ctx: MediaContext,
): Promise<Buffer> {
  const cap = Math.min(IMAGE_MAX_BYTES, ctx.limits.maxBytes);
  if (a.payload !== undefined) return payloadBytes(ctx.payloads, a.payload, cap, imageTooLarge);
  if (a.base64 !== undefined) return inlineBase64(a.base64, cap, imageTooLarge);
  if (a.file !== undefined) {
    const path = pathOf(a.file);
    const found = path ? await localFile([...ctx.roots, ctx.limits.cacheDir], path) : undefined;
    if (!found) throw new OneBotError('LOAD_FILE_ERROR', `无法读取图片 ${a.file.slice(0, 100)}`);
    return readCapped(found.path, cap, imageTooLarge);
  }
  if (a.url === undefined) throw new OneBotError('LOAD_FILE_ERROR', '没有图片');
  let path: string;
  try {
    path = await downloadTo(
      a.url,
      undefined,
      ctx.guard,
      { ...ctx.limits, maxBytes: cap },
      cachePath(ctx.limits.cacheDir, a.url),
    );
  } catch (err) {
    throw err instanceof TooLargeError ? imageTooLarge(cap) : err;
  }
  // A larger download of the same URL (download_file) may have replaced the file since.
  return readCapped(path, cap, imageTooLarge);
}
