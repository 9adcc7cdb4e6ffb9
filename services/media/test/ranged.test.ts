/**
 * Parallel ranged downloads against a local HTTP server that speaks Range (and variants that
 * do not, change the file under way, or cut a connection): the result is byte-identical, parts
 * run at once, broken parts resume, identical downloads share a transfer.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OneBotError } from '@cqfleet/onebot';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AddressGuard, type DownloadProgress, downloadFile } from '@cqfleet/media';

const DATA = randomBytes(3 * 1024 * 1024 + 12345);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let server: Server;
let base: string;
let cacheDir: string;
let requests: Array<{ path: string; range?: string }> = [];
let open = 0;
let maxOpen = 0;
let cutOnce = true;

/** Serves DATA honouring Range like a file server (ETag "v1"), with slow, even chunks. */
function serveRanged(req: IncomingMessage, res: ServerResponse, etag = '"v1"', cut = false) {
  const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
  const ifRange = req.headers['if-range'];
  if (!m || (ifRange !== undefined && ifRange !== etag)) {
    res.writeHead(200, { 'content-length': DATA.length, etag });
    return res.end(DATA);
  }
  const start = Number(m[1]);
  const end = Math.min(m[2] ? Number(m[2]) : DATA.length - 1, DATA.length - 1);
  res.writeHead(206, {
    'content-range': `bytes ${start}-${end}/${DATA.length}`,
    'content-length': end - start + 1,
    etag,
  });
  const body = DATA.subarray(start, end + 1);
  if (cut && start > 0) {
    // Half of the part, then the connection dies.
    res.write(body.subarray(0, body.length >> 1));
    setTimeout(() => res.destroy(), 30);
    return;
  }
  // In slices, so the parts are in flight together.
  let at = 0;
  const next = () => {
    if (at >= body.length) return res.end();
    res.write(body.subarray(at, (at += 256 * 1024)));
    setTimeout(next, 5);
  };
  next();
}

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push({
      path: req.url ?? '',
      ...(req.headers.range ? { range: req.headers.range } : {}),
    });
    open++;
    maxOpen = Math.max(maxOpen, open);
    res.on('close', () => open--);
    switch (req.url) {
      case '/ranged':
        return serveRanged(req, res);
      case '/no-range':
        res.writeHead(200, { 'content-length': DATA.length });
        return res.end(DATA);
      case '/changing':
        // Every request sees a new version: parts after the first are refused by If-Range.
        return serveRanged(req, res, `"v${requests.length}"`);
      case '/cut-once': {
        const cut = cutOnce && !!req.headers.range && !req.headers.range.startsWith('bytes=0-');
        if (cut) cutOnce = false;
        return serveRanged(req, res, '"v1"', cut);
      }
      default:
        res.writeHead(404);
        res.end();
    }
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => server.close());
beforeEach(async () => {
  requests = [];
  maxOpen = 0;
  cacheDir = await mkdtemp(join(tmpdir(), 'media-ranged-'));
});

const guard = new AddressGuard(['127.0.0.1']);
const limits = () => ({
  cacheDir,
  maxBytes: 64 * 1024 * 1024,
  idleTimeoutMs: 5_000,
  deadlineMs: 30_000,
  maxRedirects: 3,
});

describe('ranged downloads', () => {
  it('thread_count 4: a probe, then parallel parts; the file is byte-identical', async () => {
    const progress: DownloadProgress[] = [];
    const file = await downloadFile(`${base}/ranged`, undefined, guard, limits(), {
      threads: 4,
      onProgress: p => progress.push(p),
    });
    expect(sha(await readFile(file))).toBe(sha(DATA));
    const ranges = requests.map(r => r.range);
    expect(ranges[0]).toBe('bytes=0-1048575');
    expect(ranges.slice(1)).toHaveLength(4);
    expect(maxOpen).toBeGreaterThanOrEqual(3);
    expect(progress.at(-1)).toEqual({ received: DATA.length, total: DATA.length });
  });

  it('a server without Range support is read as one stream', async () => {
    const file = await downloadFile(`${base}/no-range`, undefined, guard, limits(), { threads: 4 });
    expect(sha(await readFile(file))).toBe(sha(DATA));
    expect(requests).toHaveLength(1);
  });

  it('thread_count 1 sends no Range header', async () => {
    await downloadFile(`${base}/ranged`, undefined, guard, limits());
    expect(requests).toEqual([{ path: '/ranged' }]);
  });

  it('a part cut short resumes where it stopped', async () => {
    const file = await downloadFile(`${base}/cut-once`, undefined, guard, limits(), { threads: 3 });
    expect(sha(await readFile(file))).toBe(sha(DATA));
    expect(requests.length).toBe(1 + 3 + 1);
  });

  it('a file that changes under way fails, and leaves nothing behind', async () => {
    const err = await downloadFile(`${base}/changing`, undefined, guard, limits(), {
      threads: 4,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OneBotError);
    expect((err as OneBotError).msg).toBe('DOWNLOAD_FILE_ERROR');
    expect(await readdir(cacheDir)).toEqual([]);
  });

  it('the declared total counts against the size cap before anything is written', async () => {
    const err = await downloadFile(
      `${base}/ranged`,
      undefined,
      guard,
      { ...limits(), maxBytes: 1024 },
      {
        threads: 4,
      },
    ).catch((e: unknown) => e);
    expect((err as OneBotError).wording).toMatch(/上限/);
    expect(requests).toHaveLength(1);
  });

  it('identical downloads at the same time share one transfer', async () => {
    const [a, b] = await Promise.all([
      downloadFile(`${base}/no-range`, undefined, guard, limits()),
      downloadFile(`${base}/no-range`, undefined, guard, limits()),
    ]);
    expect(a).toBe(b);
    expect(requests).toHaveLength(1);
  });
});
