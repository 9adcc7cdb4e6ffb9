/**
 * Local files a client names (`file://` URIs or absolute paths) are read only under configured
 * roots: the path is resolved with symlinks followed and must still lie inside a root, so
 * neither `..` nor a symlink leads out.
 */
import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The real path and size of a regular file inside one of `roots`, or undefined. */
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

/** `file://...` or a bare absolute path as a path; undefined for anything else. */
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
