/**
 * `get_record`: a received voice converted to the asked format. WAV needs nothing; other
 * formats use ffmpeg when it is installed (MEDIA_FFMPEG, else `ffmpeg` on PATH).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { OneBotError } from '@cqfleet/onebot';

const run = promisify(execFile);

export const RECORD_FORMATS = ['mp3', 'amr', 'wma', 'm4a', 'spx', 'ogg', 'wav', 'flac'] as const;

export async function convertRecord(
  source: string,
  target: string,
  format: string,
  ffmpeg: string,
): Promise<void> {
  if (!(RECORD_FORMATS as readonly string[]).includes(format))
    throw new OneBotError('INVALID_PARAMS', `out_format 必须是 ${RECORD_FORMATS.join('、')} 之一`);
  // Written beside the target and renamed, so a conversion cut short is never a cached result.
  const temp = join(dirname(target), `.${randomBytes(8).toString('hex')}.part`);
  if (format === 'wav') {
    await copyFile(source, temp);
    await rename(temp, target);
    return;
  }
  try {
    await run(
      ffmpeg,
      [
        '-hide_banner',
        '-loglevel',
        'error',
        '-y',
        '-i',
        source,
        '-f',
        format === 'm4a' ? 'mp4' : format,
        temp,
      ],
      { timeout: 60_000 },
    );
    await rename(temp, target);
  } catch (err) {
    await rm(temp, { force: true });
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    throw new OneBotError(
      'RECORD_CONVERT_ERROR',
      missing
        ? `转换为 ${format} 需要 ffmpeg`
        : `转换失败: ${(err as Error).message.slice(0, 200)}`,
    );
  }
}
