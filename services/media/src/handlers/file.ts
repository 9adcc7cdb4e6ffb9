/** Media's actions of the table's `file` domain: downloads, word slices, the cache. */
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type Handlers, OneBotError } from '@cqfleet/onebot';
import { downloadFile } from '../download.js';
import type { MediaContext } from '../types.js';
import { wordSlices } from '../words.js';

export const fileHandlers = {
  download_file: async (p, ctx) => ({
    file: await downloadFile(p.url, p.headers, ctx.guard, ctx.limits, {
      threads: p.thread_count,
      ...(ctx.progress ? { onProgress: ctx.progress } : {}),
    }),
  }),
  '.get_word_slices': async p => {
    try {
      return { slices: wordSlices(p.content) };
    } catch (err) {
      throw new OneBotError('WORD_SEGMENTATION_API_ERROR', (err as Error).message);
    }
  },
  /** Removes every file of the cache (files being written, `*.part`, are left alone). */
  clean_cache: async (_p, ctx) => {
    const names = await readdir(ctx.limits.cacheDir).catch(() => [] as string[]);
    for (const name of names) {
      if (name.endsWith('.part')) continue;
      const path = join(ctx.limits.cacheDir, name);
      if ((await stat(path).catch(() => undefined))?.isFile()) await rm(path, { force: true });
    }
    return null;
  },
} satisfies Partial<Handlers<'media', MediaContext>>;
