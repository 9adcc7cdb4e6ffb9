/**
 * Conformance: media for sending (seed 图片 / 短视频 / cardimage, set_group_portrait, forward
 * nodes). Every source kind is loaded by the media workers, checked against the seed's limits,
 * uploaded to the QQ side and named by its content; the receiver gets the very bytes.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { connectRedis, createLogger } from '@cqfleet/runtime';
import {
  type DemoWorld,
  type EventFrame,
  expectEvent,
  expectFailure,
  expectOk,
  type FileServer,
  startDemoWorld,
  startFileServer,
} from '@cqfleet/testkit';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let world: DemoWorld;
let files: FileServer;
let jpeg: Buffer;
let png: Buffer;
let gif300: Buffer;
let gif301: Buffer;
const mp4 = Buffer.concat([Buffer.from('000000186674797069736f6d', 'hex'), randomBytes(4096)]);
const bigMp4 = Buffer.concat([mp4, Buffer.alloc(70 * 1024)]);
const huge = Buffer.alloc(31 * 1024 * 1024, 1);

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
const b64 = (b: Buffer) => `base64://${b.toString('base64')}`;
type Seg = { type: string; data: Record<string, string> };

async function animatedGif(frames: number): Promise<Buffer> {
  // Random frames, so the encoder cannot merge any of them.
  const pages = await Promise.all(
    Array.from({ length: frames }, () =>
      sharp(randomBytes(8 * 8 * 3), { raw: { width: 8, height: 8, channels: 3 } })
        .png()
        .toBuffer(),
    ),
  );
  return sharp(pages, { join: { animated: true } })
    .gif({ interFrameMaxError: 0 })
    .toBuffer();
}

beforeAll(async () => {
  world = await startDemoWorld({
    env: {
      GATEWAY_MESSAGE_FORMAT: 'array',
      MEDIA_VIDEO_MAX_BYTES: String(64 * 1024),
      MEDIA_DOWNLOAD_DEADLINE_MS: '2000',
    },
  });
  jpeg = await sharp({ create: { width: 16, height: 9, channels: 3, background: '#c63' } })
    .jpeg()
    .toBuffer();
  png = await sharp({ create: { width: 5, height: 7, channels: 4, background: '#0f0' } })
    .png()
    .toBuffer();
  gif300 = await animatedGif(300);
  gif301 = await animatedGif(301);
  files = await startFileServer({
    '/a.jpg': jpeg,
    '/b.png': png,
    '/v.mp4': mp4,
    '/big.mp4': bigMp4,
    '/huge.png': huge,
    '/300.gif': gif300,
    '/301.gif': gif301,
  });
}, 60_000);

afterAll(async () => {
  await world?.close();
  await files?.close();
});

/** Sends `message` from alpha to the group; what beta receives. */
async function roundTrip(message: unknown): Promise<Seg[]> {
  const { message_id } = await expectOk<{ message_id: number }>(world.alpha, 'send_group_msg', {
    group_id: 100100,
    message,
  });
  const ev: EventFrame = await expectEvent(
    world.wsB,
    'message.group.normal',
    e => e.message_id === message_id,
  );
  return ev.message as Seg[];
}

async function bytesAt(url: string): Promise<Buffer> {
  return Buffer.from(await (await fetch(url)).arrayBuffer());
}

describe('sources', () => {
  it('http(s): downloaded once while cache is on, again with cache=0; the receiver gets the bytes', async () => {
    const url = files.url('/a.jpg');
    const [img] = await roundTrip([{ type: 'image', data: { file: url, c: '3' } }]);
    expect(img!.data.file).toBe(`${md5(jpeg)}.image`);
    expect(Buffer.compare(await bytesAt(img!.data.url!), jpeg)).toBe(0);
    const got = await expectOk<{ size: number }>(world.beta, 'get_image', { file: img!.data.file });
    expect(got.size).toBe(jpeg.length);

    await roundTrip([{ type: 'image', data: { file: url } }]);
    expect(files.hits.get('/a.jpg')).toBe(1);
    await roundTrip([{ type: 'image', data: { file: url, cache: '0' } }]);
    expect(files.hits.get('/a.jpg')).toBe(2);
  });

  it('base64://, file:// under the roots (a download_file result), and received cache names', async () => {
    const [fromB64] = await roundTrip([{ type: 'image', data: { file: b64(png) } }]);
    expect(fromB64!.data.file).toBe(`${md5(png)}.image`);

    const { file } = await expectOk<{ file: string }>(world.alpha, 'download_file', {
      url: files.url('/b.png'),
    });
    const [fromPath] = await roundTrip([
      { type: 'image', data: { file: pathToFileURL(file).href } },
    ]);
    expect(fromPath!.data.file).toBe(`${md5(png)}.image`);
    expect(Buffer.compare(await bytesAt(fromPath!.data.url!), png)).toBe(0);

    const [again] = await roundTrip([{ type: 'image', data: { file: fromPath!.data.file } }]);
    expect(again!.data.file).toBe(fromPath!.data.file);
  });

  it('a base64 image leaves no copy of its bytes in Redis (not in the job, no payload key)', async () => {
    // Random pixels: bytes no other test sent.
    const raw = randomBytes(40 * 30 * 3);
    const mine = await sharp(raw, { raw: { width: 40, height: 30, channels: 3 } })
      .png()
      .toBuffer();
    const [img] = await roundTrip([{ type: 'image', data: { file: b64(mine) } }]);
    expect(img!.data.file).toBe(`${md5(mine)}.image`);
    const ns = world.cluster.options.namespace;
    const redis = connectRedis(
      world.cluster.options.redisUrl,
      'test',
      createLogger('test', 'silent'),
    );
    try {
      const needle = mine.toString('base64').slice(0, 120);
      // Every BullMQ job is a hash with its `data`; the image's job is among them.
      const jobs: string[] = [];
      for (const key of await redis.keys(`${ns}:bull:media:*`))
        if ((await redis.type(key)) === 'hash') jobs.push((await redis.hget(key, 'data')) ?? '');
      expect(jobs.some(data => data.includes('"kind":"image"'))).toBe(true);
      for (const data of jobs) expect(data).not.toContain(needle);
      expect(await redis.keys(`${ns}:media:payload:*`)).toEqual([]);
    } finally {
      redis.disconnect();
    }
  });

  it('unreadable sources are invalid segments: outside the roots, private addresses, 404s', async () => {
    const got = await roundTrip(
      `a[CQ:image,file=file:///etc/hostname]b[CQ:image,file=http://169.254.169.254/x.png]` +
        `c[CQ:image,file=${files.url('/missing.png')}]d`,
    );
    expect(got.map(s => s.data.text).join('')).toBe(
      `a[CQ:image,file=file:///etc/hostname]b[CQ:image,file=http://169.254.169.254/x.png]` +
        `c[CQ:image,file=${files.url('/missing.png')}]d`,
    );
  });

  it('a source that never finishes downloading is cut at the deadline: an invalid segment', async () => {
    // One byte every 200 ms of a promised kilobyte: the idle timeout never fires.
    const drip = createServer((_req, res) => {
      res.writeHead(200, { 'content-length': 1000, 'content-type': 'image/png' });
      const timer = setInterval(() => res.write('x'), 200);
      res.on('close', () => clearInterval(timer));
    });
    await new Promise<void>(r => drip.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(drip.address() as AddressInfo).port}/slow.png`;
    try {
      const started = Date.now();
      const got = await roundTrip([
        { type: 'text', data: { text: 'a' } },
        { type: 'image', data: { file: url } },
      ]);
      expect(got.map(s => s.data.text).join('')).toBe(`a[CQ:image,file=${url}]`);
      // Well before the session's 30 s wait: the media deadline (2 s here) ended it.
      expect(Date.now() - started).toBeLessThan(15_000);
    } finally {
      drip.closeAllConnections();
      drip.close();
    }
  });

  it('video with a JPEG cover; cardimage; forward nodes; a group portrait', async () => {
    const got = await roundTrip([
      { type: 'video', data: { file: files.url('/v.mp4'), cover: b64(jpeg) } },
    ]);
    expect(got[0]!.data.file).toBe(`${md5(mp4)}.video`);
    expect(Buffer.compare(await bytesAt(got[0]!.data.url!), mp4)).toBe(0);

    const card = await roundTrip([{ type: 'cardimage', data: { file: files.url('/b.png') } }]);
    expect(card[0]!.data.data).toContain(`${md5(png)}.image`);

    const fwd = await expectOk<{ forward_id: string }>(world.alpha, 'send_group_forward_msg', {
      group_id: 100100,
      messages: [
        {
          type: 'node',
          data: {
            name: 'A',
            uin: '20001',
            content: [{ type: 'image', data: { file: files.url('/a.jpg') } }],
          },
        },
      ],
    });
    const nodes = await expectOk<{ messages: Array<{ content: Seg[] }> }>(
      world.alpha,
      'get_forward_msg',
      { message_id: fwd.forward_id },
    );
    expect(JSON.stringify(nodes.messages[0]!.content)).toContain(`${md5(jpeg)}.image`);

    await expectOk(world.alpha, 'set_group_portrait', {
      group_id: 100100,
      file: files.url('/b.png'),
    });

    const { notice_id } = await expectOk<{ notice_id: string }>(world.alpha, '_send_group_notice', {
      group_id: 100100,
      content: 'with a picture',
      image: b64(jpeg),
    });
    const notices = await expectOk<
      Array<{ notice_id: string; message: { images: Array<Record<string, string>> } }>
    >(world.beta, '_get_group_notice', { group_id: 100100 });
    expect(notices.find(n => n.notice_id === notice_id)?.message.images).toEqual([
      { id: `${md5(jpeg)}.image`, width: '16', height: '9' },
    ]);
    await expectFailure(
      world.alpha,
      '_send_group_notice',
      { group_id: 100100, content: 'x', image: 'file:///etc/hostname' },
      'IMAGE_NOT_FOUND',
    );
  });
});

describe("the seed's limits", () => {
  it('images at most 30 MB; GIFs at most 300 frames', async () => {
    await expectFailure(
      world.alpha,
      'send_group_msg',
      { group_id: 100100, message: [{ type: 'image', data: { file: files.url('/huge.png') } }] },
      'MEDIA_TOO_LARGE',
    );
    const [ok] = await roundTrip([{ type: 'image', data: { file: files.url('/300.gif') } }]);
    expect(ok!.data.file).toBe(`${md5(gif300)}.image`);
    await expectFailure(
      world.alpha,
      'send_group_msg',
      { group_id: 100100, message: `x[CQ:image,file=${files.url('/301.gif')}]` },
      'GIF_TOO_MANY_FRAMES',
    );
  });

  it('videos at most MEDIA_VIDEO_MAX_BYTES; a cover must be a JPEG; a video must be a video', async () => {
    await expectFailure(
      world.alpha,
      'send_group_msg',
      { group_id: 100100, message: [{ type: 'video', data: { file: files.url('/big.mp4') } }] },
      'MEDIA_TOO_LARGE',
    );
    await expectFailure(
      world.alpha,
      'send_group_msg',
      {
        group_id: 100100,
        message: [{ type: 'video', data: { file: files.url('/v.mp4'), cover: b64(png) } }],
      },
      'COVER_NOT_JPEG',
    );
    // Not a video container: the segment cannot be used, so it is sent as its CQ code.
    const got = await roundTrip([
      { type: 'video', data: { file: files.url('/a.jpg') } },
      { type: 'text', data: { text: '!' } },
    ]);
    expect(got).toEqual([
      { type: 'text', data: { text: `[CQ:video,file=${files.url('/a.jpg')}]!` } },
    ]);
  });
});
