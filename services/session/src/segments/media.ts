/**
 * Media sources a client may name (seed 图片 `file`): `http(s)://` URLs, `base64://` data,
 * `file://` paths (read only under the configured roots, no `..`, no symlink escape), and the
 * cache names of received media (`<md5>.image`, `.video`, `.amr`).
 *
 * Fetching and checking the content itself (sizes, GIF frames, JPEG covers) is the media
 * service's job (issue 6); here a source is accepted when it can be read.
 */
import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ErrorTag, OneBotError } from '@cqfleet/onebot';
import type { ActionContext } from '../actions/context.js';

const CACHE_NAME = /^[0-9a-f]{32}\.(image|video|amr|record)$/;

/** The real path of a local file inside one of `roots`, or undefined. */
export async function localFile(
  roots: readonly string[],
  path: string,
): Promise<{ path: string; size: number } | undefined> {
  let real: string;
  try {
    real = await realpath(path);
  } catch {
    return undefined;
  }
  for (const root of roots) {
    const base = await realpath(resolve(root)).catch(() => undefined);
    if (!base) continue;
    const rel = relative(base, real);
    if (rel !== '' && !rel.startsWith('..') && !isAbsolute(rel)) {
      const info = await stat(real).catch(() => undefined);
      return info?.isFile() ? { path: real, size: info.size } : undefined;
    }
  }
  return undefined;
}

/** Turns `file://...` or a bare absolute path into a path. */
export function pathOf(file: string): string | undefined {
  if (file.startsWith('file://')) {
    try {
      return fileURLToPath(file);
    } catch {
      return undefined;
    }
  }
  return isAbsolute(file) ? file : undefined;
}

/** True when a media source can be read; `file://` only under the configured roots. */
export async function mediaReadable(ctx: ActionContext, file: string): Promise<boolean> {
  if (/^https?:\/\//i.test(file)) return true;
  if (file.startsWith('base64://'))
    return /^[A-Za-z0-9+/=\s]+$/.test(file.slice(9)) && file.length > 9;
  if (CACHE_NAME.test(file)) return true;
  const path = pathOf(file);
  return path !== undefined && (await localFile(ctx.options.fileRoots, path)) !== undefined;
}

/** A media source for an action (portrait, notice image), or the action's failure tag. */
export async function resolveMedia(
  ctx: ActionContext,
  file: string,
  tag: ErrorTag,
): Promise<string> {
  if (!(await mediaReadable(ctx, file)))
    throw new OneBotError(tag, `无法读取 ${file.slice(0, 80)}`);
  return file;
}
