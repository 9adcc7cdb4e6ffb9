/**
 * Group and private files (reference §1.5, seed 群文件), and NT-era file actions (reference
 * §2.4: move, rename, permanent files, private file URLs, get_file, upload_image).
 *
 * Uploads carry their bytes: the media workers load the source — a local path or `file://`
 * under their file roots (`MEDIA_FILE_ROOTS`, the media cache included), `base64://`, or an
 * `http(s)://` URL through their address guard — and send the content to the QQ side's upload
 * channel (`file_upload_ticket`), which checks it against its md5; the upload op then names the
 * file by md5 and size. A local file is read by the media workers only, as for images and for
 * upstream accounts' files (upstream/media-inline.ts): one rule for every local source, and the
 * session never opens a client's path for an upload.
 *
 * Received media: the QQ side says where a media name can be fetched; the media workers
 * fetch, convert and read it (get_image, get_record, ocr_image, get_file). Names are
 * go-cqhttp's `<md5>.image` / `<md5>.amr` for native accounts; an upstream account's are
 * whatever its implementation put in the segments' `file` (its driver knows them from the
 * account's events), so they are not checked here.
 */
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { type ErrorTag, fail, isOneBotError, OneBotError } from '@cqfleet/onebot';
import { pathOf } from '@cqfleet/runtime';
import type { ActionContext, SessionHandlers } from '../actions/context.js';
import { asFailure } from '../actions/helpers.js';
import { resolveMedia } from '../segments/media.js';

/** Failures of the media workers that mean "this source cannot be read". */
const UNREADABLE_SOURCE = new Set(['LOAD_FILE_ERROR', 'FILE_OUTSIDE_ROOTS']);

/**
 * Sends a file's content to the QQ side (media workers: load, cap, upload by md5) and answers
 * what the upload op names it by. An unreadable source fails with go-cqhttp's `tag` for the
 * action; a refused URL, an address the guard refuses, and content over the QQ side's limit
 * keep their own tags.
 */
async function sendContent(
  ctx: ActionContext,
  file: string,
  tag: ErrorTag,
): Promise<{ md5: string; size: number }> {
  if (file === '') return fail(tag, '没有指定文件');
  const ticket = await asFailure('FILE_SYSTEM_UPLOAD_API_ERROR', () =>
    ctx.qq.call('file_upload_ticket', {}),
  );
  try {
    const prepared = await ctx.media.job(
      'media.prepare',
      { kind: 'file', file, upload: ticket.url, maxBytes: ticket.max_bytes },
      ctx.options.mediaTimeoutMs,
      ctx.account.uin,
      ctx.signal,
    );
    return { md5: prepared.md5, size: prepared.size };
  } catch (err) {
    if (isOneBotError(err) && UNREADABLE_SOURCE.has(err.msg))
      throw new OneBotError(tag, `无法读取 ${file.slice(0, 200)} (只能上传配置目录中的文件)`);
    throw err;
  }
}

/** The name a file gets when the client gives none: the path's or URL's last part, else the md5. */
function defaultName(file: string, md5: string): string {
  const path = pathOf(file);
  if (path) return basename(path);
  if (/^https?:\/\//i.test(file)) {
    try {
      const last = new URL(file).pathname.split('/').pop() ?? '';
      const name = decodeURIComponent(last);
      if (name !== '' && !/[/\\]/.test(name)) return name.slice(0, 255);
    } catch {
      // An undecodable path: fall through to the md5.
    }
  }
  return md5;
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
    asFailure('FILE_SYSTEM_API_ERROR', () =>
      qq.call('create_folder', {
        group_id: p.group_id,
        parent_id: p.parent_id,
        name: p.name,
      }),
    ),
  rename_group_file_folder: (p, { qq }) =>
    asFailure(
      'FILE_SYSTEM_API_ERROR',
      async () => (
        await qq.call('rename_folder', {
          group_id: p.group_id,
          folder_id: p.folder_id,
          name: p.new_folder_name,
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
  move_group_file: (p, { qq }) =>
    asFailure('FILE_SYSTEM_API_ERROR', async () => {
      await qq.call('move_file', {
        group_id: p.group_id,
        file_id: p.file_id,
        parent_id: p.current_parent_directory,
        target_id: p.target_parent_directory,
      });
      return { ok: true };
    }),
  rename_group_file: (p, { qq }) =>
    asFailure('FILE_SYSTEM_API_ERROR', async () => {
      await qq.call('rename_file', {
        group_id: p.group_id,
        file_id: p.file_id,
        parent_id: p.current_parent_directory,
        name: p.new_name,
      });
      return { ok: true };
    }),
  set_group_file_forever: (p, { qq }) =>
    asFailure(
      'FILE_SYSTEM_API_ERROR',
      async () => (
        await qq.call('set_file_forever', { group_id: p.group_id, file_id: p.file_id }),
        null
      ),
    ),
  trans_group_file: (p, { qq }) =>
    asFailure('FILE_SYSTEM_API_ERROR', async () => {
      await qq.call('set_file_forever', { group_id: p.group_id, file_id: p.file_id });
      return { ok: true };
    }),
  upload_group_file: async (p, ctx) => {
    const content = await sendContent(ctx, p.file, 'FILE_NOT_FOUND');
    return asFailure('FILE_SYSTEM_UPLOAD_API_ERROR', () =>
      ctx.qq.call('upload_group_file', {
        group_id: p.group_id,
        name: p.name || defaultName(p.file, content.md5),
        size: content.size,
        folder: p.folder || '/',
        md5: content.md5,
      }),
    );
  },
  upload_private_file: async (p, ctx) => {
    const content = await sendContent(ctx, p.file, 'OPEN_FILE_ERROR');
    return asFailure('FILE_SYSTEM_UPLOAD_API_ERROR', () =>
      ctx.qq.call('upload_private_file', {
        user_id: p.user_id,
        name: p.name || defaultName(p.file, content.md5),
        size: content.size,
        md5: content.md5,
      }),
    );
  },
  get_private_file_url: (p, { qq }) =>
    asFailure('FILE_NOT_FOUND', () => qq.call('get_private_file_url', { file_id: p.file_id })),
} satisfies SessionHandlers;

const IMAGE_NAME = /^[0-9a-f]{32}\.image$/;
const RECORD_NAME = /^[0-9a-f]{32}\.(amr|record)$/;

/**
 * The received name a `media.fetch` / `media.record` job takes: go-cqhttp's are `<md5>.<ext>`
 * already; an upstream's (NapCat's `<MD5>.jpg`, Lagrange's ids) are hashed into that form. It
 * gives the media worker the file's extension only: the worker keeps the file under a name of
 * the account and the URL (the media service's cache-key.ts `receivedPath`), because a name an
 * upstream gives — `<md5(url)>.cache`, `<md5(bytes)>.image` — is not checked against the
 * content, and must never replace what another account's send reads from the shared cache.
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
): Promise<{ url?: string; base64?: string; file?: string }> {
  if (mediaName(ctx, IMAGE_NAME, image))
    return {
      url: (await ctx.qq.call('get_media', { kind: 'image', name: image })).url,
    };
  if (image.startsWith('base64://')) return { base64: image.slice(9) };
  if (/^https?:\/\//i.test(image)) return { url: image };
  // A local path is opened by the media worker, only under its file roots (MEDIA_FILE_ROOTS),
  // as every client file is: the session never reads one.
  return { file: image };
}

async function ocr(ctx: ActionContext, image: string) {
  return ctx.media.job(
    'media.ocr',
    await ocrSource(ctx, image),
    ctx.options.mediaTimeoutMs,
    ctx.account.uin,
    ctx.signal,
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
      ctx.signal,
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
      ctx.signal,
    );
  },
  ocr_image: (p, ctx) => ocr(ctx, p.image),
  '.ocr_image': (p, ctx) => ocr(ctx, p.image),
  /**
   * NapCat's get_file: a group or private file by id (or received media by its name), fetched
   * into the media cache under its content's md5 — `file` is that path, `url` the QQ side's.
   */
  get_file: async (p, ctx) => {
    const id = p.file_id || p.file;
    if (id === '') return fail('FILE_NOT_FOUND', '需要 file_id 或 file');
    const media = RECEIVED_MEDIA.exec(id);
    if (media) {
      const kind = media[1] === 'image' ? 'image' : media[1] === 'video' ? 'video' : 'record';
      const info = await ctx.qq.call('get_media', { kind, name: id });
      const { file, size } = await fetchInto(ctx, info.url, id);
      return { file, url: info.url, file_size: String(size), file_name: info.filename };
    }
    const info = await asFailure('FILE_NOT_FOUND', () =>
      ctx.qq.call('get_file_info', { file_id: id }),
    );
    const ext = /\.([a-z0-9]{2,8})$/i.exec(info.file_name)?.[1]?.toLowerCase() ?? 'file';
    const { file } = await fetchInto(ctx, info.url, cacheName(`${info.md5}.${ext}`));
    return {
      file,
      url: info.url,
      file_size: String(info.file_size),
      file_name: info.file_name,
    };
  },
  /** Lagrange's upload_image: the image sent up the upload channel; its download URL. */
  upload_image: async (p, ctx) => {
    if (p.file === '') return fail('LOAD_FILE_ERROR', '没有指定图片');
    const { name } = await resolveMedia(ctx, p.file, 'LOAD_FILE_ERROR');
    return (await ctx.qq.call('get_media', { kind: 'image', name })).url;
  },
} satisfies SessionHandlers;

/** Received media by name, for get_file: the kinds the QQ side stores. */
const RECEIVED_MEDIA = /^[0-9a-f]{32}\.(image|video|amr)$/;

function fetchInto(ctx: ActionContext, url: string, name: string) {
  return ctx.media.job(
    'media.fetch',
    { url, name },
    ctx.options.mediaTimeoutMs,
    ctx.account.uin,
    ctx.signal,
  );
}

export const fileHandlers = { ...groupFiles, ...receivedMedia } satisfies SessionHandlers;
