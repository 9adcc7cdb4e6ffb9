/**
 * Group and private files (reference §1.5, seed 群文件).
 *
 * Received media: the QQ side says where a media name can be fetched; the media workers
 * fetch, convert and read it (get_image, get_record, ocr_image). Names are go-cqhttp's
 * `<md5>.image` / `<md5>.amr` for native accounts; an upstream account's are whatever its
 * implementation put in the segments' `file` (its driver knows them from the account's events),
 * so they are not checked here.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { IMAGE_MAX_BYTES } from '@cqfleet/media-client';
import { fail } from '@cqfleet/onebot';
import { localFile, pathOf } from '@cqfleet/runtime';
import type { ActionContext, SessionHandlers } from '../actions/context.js';
import { asFailure } from '../actions/helpers.js';

/** A local file for upload: only under the configured roots (`SESSION_FILE_ROOTS`). */
async function uploadable(
  ctx: ActionContext,
  file: string,
  tag: 'FILE_NOT_FOUND' | 'OPEN_FILE_ERROR',
) {
  const path = pathOf(file) ?? (file.startsWith('/') ? file : undefined);
  const found = path ? await localFile(ctx.options.fileRoots, path) : undefined;
  if (!found) return fail(tag, `无法读取 ${file.slice(0, 200)} (只能上传配置目录中的文件)`);
  return found;
}

const groupFiles = {
  get_group_file_system_info: (p, { qq }) =>
    asFailure('FILE_SYSTEM_API_ERROR', async () => ({
      ...(await qq.call('get_fs_info', { group_id: p.group_id })),
      group_id: p.group_id,
    })),
  get_group_root_files: (p, { qq }) =>
    asFailure('FILE_SYSTEM_API_ERROR', () =>
      qq.call('list_files', { group_id: p.group_id, folder_id: '/' }),
    ),
  get_group_files_by_folder: (p, { qq }) =>
    asFailure('FILE_SYSTEM_API_ERROR', () =>
      qq.call('list_files', { group_id: p.group_id, folder_id: p.folder_id }),
    ),
  get_group_file_url: (p, { qq }) =>
    asFailure('FILE_SYSTEM_API_ERROR', () =>
      qq.call('get_file_url', {
        group_id: p.group_id,
        file_id: p.file_id,
        busid: p.busid,
      }),
    ),
  create_group_file_folder: (p, { qq }) =>
    asFailure(
      'FILE_SYSTEM_API_ERROR',
      async () => (
        await qq.call('create_folder', {
          group_id: p.group_id,
          parent_id: p.parent_id,
          name: p.name,
        }),
        null
      ),
    ),
  /** Failures use retcode 200 (go-cqhttp). */
  delete_group_folder: (p, { qq }) =>
    asFailure(
      'FILE_SYSTEM_DELETE_API_ERROR',
      async () => (
        await qq.call('delete_folder', {
          group_id: p.group_id,
          folder_id: p.folder_id,
        }),
        null
      ),
    ),
  delete_group_file: (p, { qq }) =>
    asFailure(
      'FILE_SYSTEM_DELETE_API_ERROR',
      async () => (
        await qq.call('delete_file', {
          group_id: p.group_id,
          file_id: p.file_id,
          busid: p.busid,
        }),
        null
      ),
    ),
  upload_group_file: async (p, ctx) => {
    const file = await uploadable(ctx, p.file, 'FILE_NOT_FOUND');
    await asFailure('FILE_SYSTEM_UPLOAD_API_ERROR', () =>
      ctx.qq.call('upload_group_file', {
        group_id: p.group_id,
        name: p.name || basename(file.path),
        size: file.size,
        folder: p.folder || '/',
      }),
    );
    return null;
  },
  upload_private_file: async (p, ctx) => {
    const file = await uploadable(ctx, p.file, 'OPEN_FILE_ERROR');
    await asFailure('FILE_SYSTEM_UPLOAD_API_ERROR', () =>
      ctx.qq.call('upload_private_file', {
        user_id: p.user_id,
        name: p.name || basename(file.path),
        size: file.size,
      }),
    );
    return null;
  },
} satisfies SessionHandlers;

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

const receivedMedia = {
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

export const fileHandlers = { ...groupFiles, ...receivedMedia } satisfies SessionHandlers;
