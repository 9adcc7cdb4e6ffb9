/**
 * Received media: the QQ side says where a media name can be fetched; the media workers
 * fetch, convert and read it (get_image, get_record, ocr_image).
 */
import { readFile } from 'node:fs/promises';
import { fail } from '@cqfleet/onebot';
import { localFile, pathOf } from '@cqfleet/runtime';
import type { ActionContext, SessionHandlers } from '../context.js';

const IMAGE_NAME = /^[0-9a-f]{32}\.image$/;
const RECORD_NAME = /^[0-9a-f]{32}\.(amr|record)$/;

async function ocrSource(
  ctx: ActionContext,
  image: string,
): Promise<{ url?: string; base64?: string }> {
  if (IMAGE_NAME.test(image))
    return {
      url: (await ctx.account.driver.call('get_media', { kind: 'image', name: image })).url,
    };
  if (image.startsWith('base64://')) return { base64: image.slice(9) };
  if (/^https?:\/\//i.test(image)) return { url: image };
  const path = pathOf(image);
  const file = path ? await localFile(ctx.options.fileRoots, path) : undefined;
  if (!file) return fail('LOAD_FILE_ERROR', `无法读取图片 ${image.slice(0, 100)}`);
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
    if (!IMAGE_NAME.test(p.file)) return fail('LOAD_FILE_ERROR', '图片名应为 <md5>.image');
    const info = await ctx.account.driver.call('get_media', { kind: 'image', name: p.file });
    const { file } = await ctx.media.job(
      'media.fetch',
      { url: info.url, name: p.file },
      ctx.options.mediaTimeoutMs,
      ctx.account.uin,
    );
    return { size: info.size, filename: info.filename, url: info.url, file };
  },
  get_record: async (p, ctx) => {
    if (!RECORD_NAME.test(p.file)) return fail('LOAD_FILE_ERROR', '语音名应为 <md5>.amr');
    const info = await ctx.account.driver.call('get_media', { kind: 'record', name: p.file });
    return ctx.media.job(
      'media.record',
      { url: info.url, name: p.file, out_format: p.out_format },
      ctx.options.mediaTimeoutMs,
      ctx.account.uin,
    );
  },
  ocr_image: (p, ctx) => ocr(ctx, p.image),
  '.ocr_image': (p, ctx) => ocr(ctx, p.image),
} satisfies SessionHandlers;
