/**
 * `npm run bench -- media`:
 *
 * - `download_file` of a BENCH_MEDIA_MB (200) MB file from a loopback HTTP server that speaks
 *   Range, through a real media worker process (BullMQ job, ranged download, write then
 *   rename) with `thread_count` 1 and 4, against `curl` fetching the same file from the same
 *   server in the same run (median of BENCH_MEDIA_RUNS runs each) — once from a server as
 *   fast as loopback allows, once from one that paces each connection to
 *   BENCH_MEDIA_CONN_MBPS (40) MB/s;
 * - OCR: images per second through the media worker (`media.ocr` jobs) against tesseract.js
 *   called directly in this process on the same images, with how many were read correctly.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Namespace } from '@cqfleet/contracts';
import { dropNamespaceData, spawnService } from '@cqfleet/devcluster';
import { recognize, stopOcr } from '@cqfleet/media';
import { MediaClient } from '@cqfleet/media-client';
import { createLogger } from '@cqfleet/runtime';
import { ocrFixture } from '@cqfleet/testkit/fixtures';
import { percentile, type Report, table } from './stats.js';

const run = promisify(execFile);

export interface MediaBenchOptions {
  natsUrl: string;
  redisUrl: string;
  megabytes: number;
  runs: number;
  /** Pace of each connection in the second download table. */
  connectionMBps: number;
  ocrImages: number;
}

/**
 * Serves one file, honouring `Range: bytes=a-b` as a file server does; with `bytesPerSecond`
 * each connection is paced to that rate, as CDNs limit a connection (what parallel ranged
 * downloads are for).
 */
function fileServer(
  path: string,
  size: number,
  bytesPerSecond?: number,
): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    const start = m ? Number(m[1]) : 0;
    const end = m && m[2] ? Math.min(Number(m[2]), size - 1) : size - 1;
    res.writeHead(m ? 206 : 200, {
      'content-length': end - start + 1,
      'accept-ranges': 'bytes',
      etag: '"bench"',
      ...(m ? { 'content-range': `bytes ${start}-${end}/${size}` } : {}),
    });
    const body = createReadStream(path, { start, end, highWaterMark: 256 * 1024 });
    if (!bytesPerSecond) return void body.pipe(res);
    const began = performance.now();
    let sent = 0;
    body.on('data', (chunk: string | Buffer) => {
      res.write(chunk);
      sent += chunk.length;
      const ahead = (sent / bytesPerSecond) * 1000 - (performance.now() - began);
      if (ahead > 0) {
        body.pause();
        setTimeout(() => body.resume(), ahead);
      }
    });
    body.on('end', () => res.end());
    res.on('close', () => body.destroy());
  });
  return new Promise(resolve =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        server,
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/big.bin`,
      }),
    ),
  );
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return (performance.now() - t) / 1000;
}

const mbps = (mb: number, s: number) => `${(mb / s).toFixed(0)} MB/s`;

/** curl, then download_file with 1 and 4 connections, `runs` times; median seconds each. */
async function measureDownloads(
  o: MediaBenchOptions,
  media: MediaClient,
  url: string,
  size: number,
  out: string,
): Promise<Record<'curl' | 't1' | 't4', number>> {
  const seconds = { curl: [] as number[], t1: [] as number[], t4: [] as number[] };
  for (let i = 0; i < o.runs; i++) {
    seconds.curl.push(await timed(() => run('curl', ['-sS', '-o', out, url])));
    await rm(out, { force: true });
    for (const threads of [1, 4] as const) {
      let file = '';
      const s = await timed(async () => {
        const r = await media.action('download_file', 0, { url, thread_count: threads }, 600_000);
        if (r.status !== 'ok') throw new Error(`download_file failed: ${JSON.stringify(r)}`);
        file = (r.data as { file: string }).file;
      });
      // Checked and removed outside the timing, as curl's output is.
      if ((await stat(file)).size !== size) throw new Error('download_file: wrong size');
      await rm(file, { force: true });
      seconds[`t${threads}`].push(s);
    }
  }
  return {
    curl: percentile(seconds.curl, 50),
    t1: percentile(seconds.t1, 50),
    t4: percentile(seconds.t4, 50),
  };
}

async function downloadBench(o: MediaBenchOptions, media: MediaClient, dir: string) {
  const size = o.megabytes * 1024 * 1024;
  const source = join(dir, 'source.bin');
  await writeFile(source, randomBytes(size));
  const rows: Array<Array<string>> = [];
  let unpacedT4 = 0; // thread_count 4 vs curl, unpaced server
  const servers: Array<[string, number | undefined]> = [
    ['unlimited', undefined],
    [`${o.connectionMBps} MB/s per connection`, o.connectionMBps * 1024 * 1024],
  ];
  try {
    for (const [label, rate] of servers) {
      const { server, url } = await fileServer(source, size, rate);
      try {
        const t = await measureDownloads(o, media, url, size, join(dir, 'curl.bin'));
        if (rate === undefined) unpacedT4 = t.curl / t.t4;
        rows.push(
          [label, 'curl (baseline)', `${t.curl.toFixed(2)} s`, mbps(o.megabytes, t.curl), '100 %'],
          ...([1, 4] as const).map(n => {
            const s = t[`t${n}`];
            return [
              label,
              `download_file thread_count ${n}`,
              `${s.toFixed(2)} s`,
              mbps(o.megabytes, s),
              `${((t.curl / s) * 100).toFixed(0)} %`,
            ];
          }),
        );
      } finally {
        server.close();
      }
    }
  } finally {
    await rm(source, { force: true });
  }
  const markdown = table(
    ['server', `download of ${o.megabytes} MB`, 'median time', 'throughput', 'vs curl'],
    rows,
  );
  return { markdown, unpacedT4 };
}

/** Images of known English text, each different (committed fixtures: no system font needed). */
function ocrImages(n: number): Array<{ text: string; png: Buffer }> {
  const fixtures = Array.from({ length: 8 }, (_, i) => ocrFixture(`bench-${i}`));
  return Array.from({ length: n }, (_, i) => {
    const { lines, png } = fixtures[i % fixtures.length]!;
    return { text: lines.join(' '), png };
  });
}

async function ocrBench(o: MediaBenchOptions, media: MediaClient) {
  const images = ocrImages(o.ocrImages);
  const readAll = async (read: (png: Buffer) => Promise<{ texts: Array<{ text: string }> }>) => {
    await read(images[0]!.png); // model load, not counted
    let correct = 0;
    const s = await timed(async () => {
      for (const img of images) {
        const r = await read(img.png);
        if (
          r.texts
            .map(t => t.text)
            .join(' ')
            .includes(img.text)
        )
          correct++;
      }
    });
    return { rate: images.length / s, correct };
  };
  const direct = await readAll(png => recognize(png));
  await stopOcr();
  const service = await readAll(png =>
    media.job('media.ocr', { base64: png.toString('base64') }, 120_000),
  );
  return table(
    ['OCR', 'images/s', 'read correctly', 'vs direct'],
    [
      [
        'tesseract.js in-process (baseline)',
        direct.rate.toFixed(2),
        `${direct.correct}/${images.length}`,
        '100 %',
      ],
      [
        'ocr via media worker (BullMQ job)',
        service.rate.toFixed(2),
        `${service.correct}/${images.length}`,
        `${((service.rate / direct.rate) * 100).toFixed(0)} %`,
      ],
    ],
  );
}

export async function mediaBench(o: MediaBenchOptions): Promise<Report> {
  const dir = await mkdtemp(join(tmpdir(), 'cqfleet-bench-media-'));
  const ns = new Namespace(`bench-media-${process.pid}`);
  const worker = await spawnService(
    'media',
    'media',
    {
      CQFLEET_NAMESPACE: ns.name,
      CQFLEET_REDIS_URL: o.redisUrl,
      CQFLEET_LOG_LEVEL: 'info',
      MEDIA_CACHE_DIR: join(dir, 'cache'),
      MEDIA_ALLOW_HOSTS: '127.0.0.1',
    },
    {},
  );
  const media = new MediaClient(o.redisUrl, ns, createLogger('bench', 'warn'));
  await media.ready();
  try {
    const download = await downloadBench(o, media, dir);
    const ocr = await ocrBench(o, media);
    const markdown = [
      '## media',
      '',
      `One media worker process, loopback HTTP server with Range support, ${o.runs} runs each (median).`,
      '',
      download.markdown,
      '',
      ocr,
    ].join('\n');
    return {
      markdown,
      targets: [
        {
          target: 'download_file with 4 connections ≥ 90 % of curl',
          figure: `${(download.unpacedT4 * 100).toFixed(0)} % of curl (${o.megabytes} MB, unpaced loopback server)`,
          met: download.unpacedT4 >= 0.9,
        },
      ],
    };
  } finally {
    await media.close();
    await worker.stop();
    await rm(dir, { recursive: true, force: true });
    // The queue's keys. A failure is a warning: it must not hide the suite's own error.
    await dropNamespaceData({ ...o, namespace: ns.name }).catch((err: unknown) =>
      console.warn(`media: the data of ${ns.name} was left: ${String(err)}`),
    );
  }
}
