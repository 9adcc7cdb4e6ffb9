/**
 * Offline OCR (Chinese and English) with tesseract.js and the npm-packaged trained data
 * (dependencies-offline.md §3): one worker per media process and kind of data, started on
 * first use. Results take go-cqhttp's shape: per line `{text, confidence (0-100),
 * coordinates: 4 corners}`, in the coordinates of the image as given.
 *
 * Images are prepared for tesseract first (sharp): transparency flattened onto white,
 * greyscale, and scaled so that the text is as tall as tesseract's models read best. Large
 * clean Chinese text was misread as it came (机器人 → 机项人 at 72 px, a stray 和 at 56 px) and
 * small text loses strokes; both read correctly at a line height of 20–44 px. The height is
 * what tesseract's own first reading finds (its line boxes are right even where characters
 * are not); only an image whose lines fall outside that range is read a second time,
 * scaled to 32 px.
 *
 * tesseract is only ever handed what sharp decoded: an image sharp cannot read (or of a format
 * it does not prepare) is LOAD_FILE_ERROR, and one of more than OCR_MAX_PIXELS is
 * MEDIA_TOO_LARGE, read from its header before anything is decoded. tesseract has no pixel
 * limit of its own, and one worker per process reads for every tenant: a small file that
 * declares a huge image must not reach it.
 */
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, rename } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OneBotError } from '@cqfleet/onebot';
import sharp from 'sharp';
import { createWorker, type Worker } from 'tesseract.js';
import { Refusal } from './refusals.js';

const require = createRequire(import.meta.url);

/**
 * Which Chinese data to read with: `full` is the package's standard data (it read every test
 * image right, at about 200 MB more memory per process), `light` its small `best_int` data.
 * English is read with the small data either way (no difference was seen).
 */
export type OcrData = 'full' | 'light';

/** chi_sim first: the other order garbles mixed lines (dependencies-offline.md). */
const LANGS = ['chi_sim', 'eng'] as const;
const DATA_DIR: Record<OcrData, Record<(typeof LANGS)[number], string>> = {
  full: { chi_sim: '4.0.0', eng: '4.0.0_best_int' },
  light: { chi_sim: '4.0.0_best_int', eng: '4.0.0_best_int' },
};

/** Line heights (px) read well as they are; outside them an image is scaled to TARGET. */
const COMFORTABLE_MIN = 20;
const COMFORTABLE_MAX = 44;
const TARGET_HEIGHT = 32;
/** Scaling never makes an image larger than this (pixels), nor goes beyond 1/4–4×. */
const MAX_SCALED_PIXELS = 24_000_000;
/** Formats prepared with sharp; anything else is refused. */
const RASTER = new Set(['jpeg', 'png', 'webp', 'gif', 'tiff']);
/**
 * Largest image read (pixels): 64 M, 8192 × 8192. A phone's 50 M-pixel photo passes; sharp's
 * own default (16383², 268 M) would let one image hold a 268 MB greyscale buffer and the one
 * tesseract worker every tenant's OCR waits for.
 */
export const OCR_MAX_PIXELS = 8192 * 8192;

export interface OcrText {
  text: string;
  confidence: number;
  coordinates: Array<{ x: number; y: number }>;
}

const workers = new Map<OcrData, Promise<Worker>>();

async function startWorker(data: OcrData): Promise<Worker> {
  // tesseract.js takes one directory for every language; the npm data packages are separate.
  const dir = join(tmpdir(), `cqfleet-tessdata-${data}`);
  await mkdir(dir, { recursive: true });
  // Several processes share the directory (media workers, the bench's in-process baseline):
  // each file is copied under a name of its own and renamed into place, so a worker that is
  // reading it never sees it half written.
  for (const lang of LANGS) {
    const target = join(dir, `${lang}.traineddata.gz`);
    const temp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}`;
    await copyFile(
      require.resolve(`@tesseract.js-data/${lang}/${DATA_DIR[data][lang]}/${lang}.traineddata.gz`),
      temp,
    );
    await rename(temp, target);
  }
  const w = await createWorker([...LANGS], 1, { langPath: dir, gzip: true, cacheMethod: 'none' });
  // Without this the Chinese model puts a space between every character.
  await w.setParameters({ preserve_interword_spaces: '1' });
  return w;
}

function workerFor(data: OcrData): Promise<Worker> {
  let w = workers.get(data);
  if (!w) {
    w = startWorker(data);
    workers.set(data, w);
    // A worker that failed to start is started again next time.
    w.catch(() => workers.delete(data));
  }
  return w;
}

interface Reading {
  texts: OcrText[];
  /** Line heights as read, in the pixels of the image read. */
  heights: number[];
  all: string;
}

async function read(worker: Worker, image: Buffer, scale: number): Promise<Reading> {
  const { data } = await worker.recognize(image, {}, { blocks: true });
  const texts: OcrText[] = [];
  const heights: number[] = [];
  const at = (v: number) => Math.round(v / scale);
  for (const block of data.blocks ?? [])
    for (const paragraph of block.paragraphs)
      for (const line of paragraph.lines) {
        const text = line.text.trim();
        if (!text) continue;
        const { x0, y0, x1, y1 } = line.bbox;
        heights.push(y1 - y0);
        texts.push({
          text,
          confidence: Math.round(line.confidence),
          coordinates: [
            { x: at(x0), y: at(y0) },
            { x: at(x1), y: at(y0) },
            { x: at(x1), y: at(y1) },
            { x: at(x0), y: at(y1) },
          ],
        });
      }
  return { texts, heights, all: data.text };
}

const unreadable = () => new OneBotError('LOAD_FILE_ERROR', '无法识别的图片格式');

/**
 * The image flattened onto white and greyscale, with its size. Refused (never returned raw)
 * when sharp cannot read it, it is not a raster format, or it is larger than OCR_MAX_PIXELS.
 */
async function greyscale(image: Buffer): Promise<{ png: Buffer; width: number; height: number }> {
  let meta: sharp.Metadata;
  try {
    meta = await sharp(image, { limitInputPixels: false }).metadata();
  } catch {
    throw unreadable();
  }
  if (!meta.format || !RASTER.has(meta.format)) throw unreadable();
  if ((meta.width ?? 0) * (meta.pageHeight ?? meta.height ?? 0) > OCR_MAX_PIXELS)
    throw new Refusal('media_too_large', 'MEDIA_TOO_LARGE', `图片像素数不能超过 ${OCR_MAX_PIXELS}`);
  try {
    const { data, info } = await sharp(image, { limitInputPixels: OCR_MAX_PIXELS })
      .flatten({ background: '#ffffff' })
      .greyscale()
      .png({ compressionLevel: 1 })
      .toBuffer({ resolveWithObject: true });
    return { png: data, width: info.width, height: info.height };
  } catch {
    throw unreadable();
  }
}

/** The factor that brings the lines' median height to TARGET_HEIGHT, or 1 when they fit. */
function scaleFor(heights: number[], width: number, height: number): number {
  const sorted = [...heights].sort((a, b) => a - b);
  const median = sorted[sorted.length >> 1];
  if (!median || (median >= COMFORTABLE_MIN && median <= COMFORTABLE_MAX)) return 1;
  const largest = Math.sqrt(MAX_SCALED_PIXELS / (width * height));
  const scale = Math.max(0.25, Math.min(4, largest, TARGET_HEIGHT / median));
  return Math.abs(scale - 1) < 0.1 ? 1 : scale;
}

export async function recognize(
  image: Buffer,
  data: OcrData = 'full',
): Promise<{ texts: OcrText[]; language: string }> {
  // Before the worker: a refused image neither starts nor occupies it.
  const grey = await greyscale(image);
  const worker = await workerFor(data);
  let reading = await read(worker, grey.png, 1);
  const scale = scaleFor(reading.heights, grey.width, grey.height);
  if (scale !== 1) {
    const scaled = await sharp(grey.png)
      .resize({ width: Math.max(1, Math.round(grey.width * scale)), kernel: 'lanczos3' })
      .png({ compressionLevel: 1 })
      .toBuffer();
    reading = await read(worker, scaled, scale);
  }
  const language = /[\u3400-\u9fff]/.test(reading.all) ? 'zh' : 'en';
  return { texts: reading.texts, language };
}

export async function stopOcr(): Promise<void> {
  const running = [...workers.values()];
  workers.clear();
  for (const w of running) await (await w.catch(() => undefined))?.terminate();
}
