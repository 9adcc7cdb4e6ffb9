/**
 * OCR hands tesseract only what sharp decoded: an image sharp will not read (here: a small PNG
 * file that declares 20000 × 20000 pixels, over its limit) is refused before tesseract's worker
 * is started or asked anything. tesseract.js is replaced by a spy; nothing here runs it.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { AddressGuard, runMediaJob } from '@cqfleet/media';
import { testContext } from './test-context.js';

const tesseract = vi.hoisted(() => ({
  recognize: vi.fn(async (_image: Buffer) => ({ data: { blocks: [], text: '' } })),
  createWorker: vi.fn(),
}));
vi.mock('tesseract.js', () => ({
  createWorker: tesseract.createWorker.mockImplementation(async () => ({
    recognize: tesseract.recognize,
    setParameters: async () => undefined,
    terminate: async () => undefined,
  })),
}));

function chunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const out = Buffer.alloc(body.length + 8);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), body.length + 4);
  return out;
}

/** A PNG of `width` × `height` grey pixels whose data stops after a few rows: a few hundred bytes. */
function declaredPng(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth; colour type 0 (grey), no interlace
  return Buffer.concat([
    Buffer.from('89504e470d0a1a0a', 'hex'),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.alloc(4 * (width + 1)))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

let cacheDir: string;
beforeEach(async () => {
  tesseract.recognize.mockClear();
  cacheDir = await mkdtemp(join(tmpdir(), 'media-ocr-'));
});

const ctx = () =>
  testContext(cacheDir, { maxBytes: 1024 ** 3 }, { guard: new AddressGuard([]), ocrData: 'light' });

const ocr = (image: Buffer) =>
  runMediaJob('media.ocr', { selfId: 1, params: { base64: image.toString('base64') } }, ctx());

describe('OCR of images sharp refuses', () => {
  it('a PNG over the pixel limit is MEDIA_TOO_LARGE and never reaches tesseract', async () => {
    const png = declaredPng(20_000, 20_000);
    expect(png.length).toBeLessThan(1024 * 1024);
    expect(await ocr(png)).toMatchObject({ ok: false, msg: 'MEDIA_TOO_LARGE' });
    // Within sharp's own limit (16383²) but over OCR's: 81 M pixels.
    expect(await ocr(declaredPng(9_000, 9_000))).toMatchObject({
      ok: false,
      msg: 'MEDIA_TOO_LARGE',
    });
    expect(tesseract.recognize).not.toHaveBeenCalled();
  });

  it('bytes sharp cannot read as an image are LOAD_FILE_ERROR and never reach tesseract', async () => {
    const bmp = Buffer.concat([Buffer.from('BM'), Buffer.alloc(200, 1)]);
    expect(await ocr(bmp)).toMatchObject({ ok: false, msg: 'LOAD_FILE_ERROR' });
    expect(tesseract.recognize).not.toHaveBeenCalled();
  });

  it('an image sharp reads goes to tesseract as sharp’s greyscale PNG, not as it came', async () => {
    const jpeg = await sharp({
      create: { width: 64, height: 32, channels: 3, background: { r: 200, g: 10, b: 10 } },
    })
      .jpeg()
      .toBuffer();
    expect(await ocr(jpeg)).toMatchObject({ ok: true, data: { texts: [] } });
    expect(tesseract.recognize).toHaveBeenCalledTimes(1);
    const given = tesseract.recognize.mock.calls[0]?.[0] as Buffer;
    expect(await sharp(given).metadata()).toMatchObject({ format: 'png', width: 64, height: 32 });
  });
});
