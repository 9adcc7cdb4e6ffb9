/**
 * Reading an event filter file without trusting the path: the file, with every symlink
 * resolved, must be inside its root directory; it must be a regular file (not a device, FIFO
 * or directory — opened non-blocking, so a FIFO cannot hold the read); and at most `maxBytes`
 * are ever read into memory, whatever the file's size claims or becomes while it is read.
 */
import { constants } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import { OneBotError } from '@cqfleet/onebot';
import { insideDir } from '../config.js';

/** The file is absent: not a refusal (go-cqhttp logs it and keeps the filter it has). */
export class FilterFileMissing extends Error {
  override readonly name = 'FilterFileMissing';
}

const isMissing = (err: unknown) =>
  err instanceof Error && ['ENOENT', 'ENOTDIR'].includes((err as NodeJS.ErrnoException).code ?? '');

/**
 * The text of `path`, confined to `root` and capped at `maxBytes`. Throws FilterFileMissing
 * when there is no such file, and a OneBotError (FILE_OUTSIDE_ROOTS, LOAD_FILE_ERROR) when the
 * file may not be read.
 */
export async function readFilterFile(
  path: string,
  root: string,
  maxBytes: number,
): Promise<string> {
  let real: string;
  let realRoot: string;
  try {
    [real, realRoot] = await Promise.all([realpath(path), realpath(root)]);
  } catch (err) {
    if (isMissing(err)) throw new FilterFileMissing(path);
    throw err;
  }
  if (!insideDir(realRoot, real))
    throw new OneBotError('FILE_OUTSIDE_ROOTS', `过滤器文件不在过滤器目录内: ${path}`);
  // O_NOFOLLOW: the resolved path must not have become a symlink since it was resolved.
  const file = await open(real, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  try {
    const stat = await file.stat();
    if (!stat.isFile()) throw new OneBotError('LOAD_FILE_ERROR', `过滤器不是普通文件: ${path}`);
    if (stat.size > maxBytes) throw tooLarge(path, maxBytes);
    // One byte more than allowed tells a file that grew past the cap from one that is at it.
    const buffer = Buffer.alloc(Math.min(maxBytes + 1, stat.size + 1));
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await file.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > maxBytes) throw tooLarge(path, maxBytes);
    return buffer.subarray(0, length).toString('utf8');
  } finally {
    await file.close();
  }
}

function tooLarge(path: string, maxBytes: number): OneBotError {
  return new OneBotError('LOAD_FILE_ERROR', `过滤器文件超过 ${maxBytes} 字节: ${path}`);
}
