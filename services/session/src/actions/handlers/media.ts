/**
 * Received media: the QQ side says where a media name can be fetched; the media workers
 * fetch, convert and read it (get_image, get_record, ocr_image).
 *
 * Names are go-cqhttp's `<md5>.image` / `<md5>.amr` for native accounts; an upstream account's
 * are whatever its implementation put in the segments' `file` (its driver knows them from the
 * account's events), so they are not checked here.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { IMAGE_MAX_BYTES } from '@cqfleet/media-client';
import { fail } from '@cqfleet/onebot';
import { localFile, pathOf } from '@cqfleet/runtime';
import type { ActionContext, SessionHandlers } from '../context.js';

const IMAGE_NAME = /^[0-9a-f]{32}\.image$/;
const RECORD_NAME = /^[0-9a-f]{32}\.(amr|record)$/;

/**
 * The media cache's name for a received file: go-cqhttp's are `<md5>.<ext>` already; an
 * upstream's (NapCat's `<MD5>.jpg`, Lagrange's ids) are hashed into that form.
 */
function cacheName(name: string): string {
  if (/^[0-9a-f]{32}\.[a-z0-9]{2,8}$/.test(name)) return name;
  const ext = /\.([a-z0-9]{2,8})$/i.exec(name)?.[1]?.toLowerCase() ?? 'bin';
  return `${createHash('md5').update(name).digest('hex')}.${ext}`;
}

/** True when `name` is one the QQ side may know: in go-cqhttp's form, or any upstream name. */
const mediaName = (ctx: ActionContext, pattern: RegExp, name: string) =>
  pattern.test(name) || (ctx.account.driver.kind === 'proxied' && !/[/\\:]/.test(name));

async function ocrSource(
  ctx: ActionContext,
  image: string,
): Promise<{ url?: string; base64?: string }> {
  if (mediaName(ctx, IMAGE_NAME, image))
    return {
      url: (await ctx.qq.call('get_media', { kind: 'image', name: image })).url,
    };
  if (image.startsWith('base64://')) return { base64: image.slice(9) };
  if (/^https?:\/\//i.test(image)) return { url: image };
  const path = pathOf(image);
  const file = path ? await localFile(ctx.options.fileRoots, path) : undefined;
  if (!file) return fail('LOAD_FILE_ERROR', `无法读取图片 ${image.slice(0, 100)}`);
  // The seed's image limit before the file is read: the media client stores the bytes for the
  // job (never in it), and the worker would refuse them anyway.
  if ((await stat(file.path)).size > IMAGE_MAX_BYTES)
    return fail('MEDIA_TOO_LARGE', `图片大小不能超过 ${IMAGE_MAX_BYTES} 字节`);
  return { base64: (await readFile(file.path)).toString('base64') };
}

async function ocr(ctx: ActionContext, image: string) {
  return ctx.media.job(
    'media.ocr',
    await ocrSource(ctx, image),
    ctx.options.mediaTimeoutMs,
    ctx.account.uin,
  );
}

export const mediaHandlers = {
  /** `{size, filename, url, file}`; `file` is the local path in the shared media cache. */
  get_image: async (p, ctx) => {
    if (!mediaName(ctx, IMAGE_NAME, p.file))
      return fail('LOAD_FILE_ERROR', '图片名应为 <md5>.image');
    const info = await ctx.qq.call('get_media', { kind: 'image', name: p.file });
    const { file } = await ctx.media.job(
      'media.fetch',
      { url: info.url, name: cacheName(p.file) },
      ctx.options.mediaTimeoutMs,
      ctx.account.uin,
    );
    return { size: info.size, filename: info.filename, url: info.url, file };
  },
  get_record: async (p, ctx) => {
    if (!mediaName(ctx, RECORD_NAME, p.file))
      return fail('LOAD_FILE_ERROR', '语音名应为 <md5>.amr');
    const info = await ctx.qq.call('get_media', { kind: 'record', name: p.file });
    return ctx.media.job(
      'media.record',
      { url: info.url, name: cacheName(p.file), out_format: p.out_format },
      ctx.options.mediaTimeoutMs,
      ctx.account.uin,
    );
  },
  ocr_image: (p, ctx) => ocr(ctx, p.image),
  '.ocr_image': (p, ctx) => ocr(ctx, p.image),
} satisfies SessionHandlers;
