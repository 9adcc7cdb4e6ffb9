/**
 * The body of one response written into the download's file: counted against the size cap,
 * watched for idleness, gathered into ~1 MiB positional writes.
 */
import { open } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { OneBotError } from '@cqfleet/onebot';
import { IdleTimeout } from './http-get.js';
import { Refusal } from './refusals.js';
import type { DownloadLimits, DownloadProgress } from './types.js';

/** A download over `maxBytes` (declared or counted); callers may answer it their own way. */
export class TooLargeError extends Refusal {
  constructor(readonly limit: number) {
    super('download_too_large', 'DOWNLOAD_FILE_ERROR', `文件超过上限 ${limit} 字节`);
  }
}

/** Bytes gathered before one positional write (fewer, larger writes than stream piping). */
const FLUSH_BYTES = 1024 * 1024;

/**
 * Reads `res` into `path` (at `start`, or a new file when undefined), counting bytes: the size
 * cap and the idle timeout apply (an idle connection fails with {@link IdleTimeout}, which a
 * part resumes from), and fewer bytes than `expected` is a failure. Chunks are gathered into
 * ~1 MiB `writev` calls, one in flight while the next is read.
 */
export async function writeAt(
  res: IncomingMessage,
  path: string,
  start: number | undefined,
  expected: number | undefined,
  progress: Progress,
  limits: DownloadLimits,
  written = { bytes: 0 },
): Promise<void> {
  res.setTimeout(limits.idleTimeoutMs, () => res.destroy(new IdleTimeout(limits.idleTimeoutMs)));
  const handle = await open(path, start === undefined ? 'w' : 'r+');
  let position = start ?? 0;
  let batch: Buffer[] = [];
  let batched = 0;
  let inFlight: Promise<unknown> = Promise.resolve();
  const flush = async () => {
    await inFlight;
    const [buffers, n] = [batch, batched];
    // `written` counts bytes on disk, so a part cut short resumes right after them.
    inFlight = handle.writev(buffers, position).then(() => {
      written.bytes += n;
    });
    // Observed here so a failure waits, unreported, for the next await of inFlight.
    inFlight.catch(() => undefined);
    position += n;
    batch = [];
    batched = 0;
  };
  try {
    for await (const chunk of res as AsyncIterable<Buffer>) {
      if (progress.add(chunk.length) > limits.maxBytes) throw new TooLargeError(limits.maxBytes);
      batch.push(chunk);
      batched += chunk.length;
      if (batched >= FLUSH_BYTES) await flush();
    }
    if (batched > 0) await flush();
    await inFlight;
  } catch (err) {
    // What arrived before the connection broke is good: keep it for the resume.
    if (!(err instanceof OneBotError) && batched > 0) await flush().catch(() => undefined);
    throw err;
  } finally {
    await inFlight.catch(() => undefined);
    await handle.close();
  }
  if (expected !== undefined && written.bytes !== expected)
    throw new Error(`transfer cut short: ${written.bytes} of ${expected} bytes`);
}

/** Bytes received by every connection of one download, reported at most twice a second. */
export class Progress {
  received = 0;
  total?: number;
  private last = 0;

  constructor(private readonly report?: (p: DownloadProgress) => void) {}

  add(n: number): number {
    this.received += n;
    if (this.report && Date.now() - this.last >= 500) this.flush();
    return this.received;
  }

  flush(): void {
    this.last = Date.now();
    this.report?.({
      received: this.received,
      ...(this.total !== undefined ? { total: this.total } : {}),
    });
  }
}
