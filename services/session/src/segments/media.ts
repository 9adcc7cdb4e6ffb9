/**
 * Media a client sends (seed 图片 `file`, video `cover`, portraits, notice images, forward
 * nodes). Sources: `http(s)://` URLs (with the seed's `cache` and `c`), `base64://` data,
 * `file://` paths, and the cache names of received media (`<md5>.image`, `.video`, `.amr`).
 *
 * A cache name is already on the QQ side and is sent as it is. Anything else goes to the media
 * workers (`media.prepare`): they load it, check the seed's limits, and upload it to the URL
 * the account's driver gives (QQ's upload channel); the message then names the content by its
 * md5, as a QQ client does.
 */
import type { ErrorTag } from '@cqfleet/onebot';
import { OneBotError } from '@cqfleet/onebot';
import type { ActionContext } from '../actions/context.js';

export const CACHE_NAME = /^[0-9a-f]{32}\.(image|video|amr|record)$/;

export type SendKind = 'image' | 'video' | 'record' | 'cover';

/** Failures that mean "this source cannot be read" rather than "this media is refused". */
const UNREADABLE = new Set([
  'LOAD_FILE_ERROR',
  'DOWNLOAD_FILE_ERROR',
  // A source that never finished downloading (idle, or past MEDIA_DOWNLOAD_DEADLINE_MS).
  'DOWNLOAD_TIMEOUT',
  'FORBIDDEN_ADDRESS',
  'FILE_OUTSIDE_ROOTS',
]);

export function isUnreadable(err: unknown): err is OneBotError {
  return err instanceof OneBotError && UNREADABLE.has(err.msg);
}

export interface SendOptions {
  /** The seed's `cache`: `0` downloads a URL again. */
  cache?: string | undefined;
  /** The seed's `c`: download connections. */
  threads?: string | undefined;
}

/** What the QQ side knows an uploaded medium by (image sizes when known). */
export interface Uploaded {
  name: string;
  width?: number;
  height?: number;
}

type UploadKind = 'image' | 'video' | 'record';
/** Upload URLs by account and kind: the QQ side's answer does not change while we own it. */
const uploadUrls = new WeakMap<object, Map<UploadKind, Promise<string>>>();

function uploadUrl(ctx: ActionContext, kind: UploadKind): Promise<string> {
  let byKind = uploadUrls.get(ctx.account);
  if (!byKind) uploadUrls.set(ctx.account, (byKind = new Map()));
  let url = byKind.get(kind);
  if (!url) {
    url = ctx.qq.call('upload_ticket', { kind }).then(t => t.url);
    byKind.set(kind, url);
    // A failed ask is asked again next time.
    url.catch(() => byKind.delete(kind));
  }
  return url;
}

/** The name the QQ side knows a media source by, uploading it first when needed. */
export async function uploadMedia(
  ctx: ActionContext,
  kind: SendKind,
  file: string,
  options: SendOptions = {},
): Promise<Uploaded> {
  if (CACHE_NAME.test(file)) return { name: file };
  // Past the action's deadline no new media job joins the queue every tenant shares.
  ctx.signal.throwIfAborted();
  const url = await uploadUrl(ctx, kind === 'cover' ? 'image' : kind);
  ctx.signal.throwIfAborted();
  const threads = Number(options.threads);
  const prepared = await ctx.media.job(
    'media.prepare',
    {
      kind,
      file,
      upload: url,
      ...(options.cache === '0' ? { cache: false } : {}),
      ...(Number.isInteger(threads) && threads > 1 ? { threads: Math.min(threads, 16) } : {}),
    },
    ctx.options.mediaTimeoutMs,
    ctx.account.uin,
    ctx.signal,
  );
  return {
    name: prepared.name,
    ...(prepared.width !== undefined ? { width: prepared.width } : {}),
    ...(prepared.height !== undefined ? { height: prepared.height } : {}),
  };
}

/** An image for an action (portrait, notice image); an unreadable source fails with `tag`. */
export async function resolveMedia(
  ctx: ActionContext,
  file: string,
  tag: ErrorTag,
  options: SendOptions = {},
): Promise<Uploaded> {
  try {
    return await uploadMedia(ctx, 'image', file, options);
  } catch (err) {
    if (isUnreadable(err)) throw new OneBotError(tag, err.wording);
    throw err;
  }
}
