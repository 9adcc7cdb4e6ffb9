/**
 * Offline OCR (Chinese and English) with tesseract.js and the npm-packaged trained data
 * (dependencies-offline.md §3): one worker per media process, started on first use. Results
 * take go-cqhttp's shape: per line `{text, confidence (0-100), coordinates: 4 corners}`.
 */
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, rename } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWorker, type Worker } from 'tesseract.js';

const require = createRequire(import.meta.url);
/** chi_sim first: the other order garbles mixed lines (dependencies-offline.md). */
const LANGS = ['chi_sim', 'eng'];

export interface OcrText {
  text: string;
  confidence: number;
  coordinates: Array<{ x: number; y: number }>;
}

let worker: Promise<Worker> | undefined;

async function startWorker(): Promise<Worker> {
  // tesseract.js takes one directory for every language; the npm data packages are separate.
  const dir = join(tmpdir(), 'cqfleet-tessdata');
  await mkdir(dir, { recursive: true });
  // Several processes share the directory (media workers, the bench's in-process baseline):
  // each file is copied under a name of its own and renamed into place, so a worker that is
  // reading it never sees it half written.
  for (const lang of LANGS) {
    const target = join(dir, `${lang}.traineddata.gz`);
    const temp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}`;
    await copyFile(
      require.resolve(`@tesseract.js-data/${lang}/4.0.0_best_int/${lang}.traineddata.gz`),
      temp,
    );
    await rename(temp, target);
  }
  const w = await createWorker(LANGS, 1, { langPath: dir, gzip: true, cacheMethod: 'none' });
  // Without this the Chinese model puts a space between every character.
  await w.setParameters({ preserve_interword_spaces: '1' });
  return w;
}

export async function recognize(image: Buffer): Promise<{ texts: OcrText[]; language: string }> {
  worker ??= startWorker();
  const { data } = await (await worker).recognize(image, {}, { blocks: true });
  const texts: OcrText[] = [];
  for (const block of data.blocks ?? [])
    for (const paragraph of block.paragraphs)
      for (const line of paragraph.lines) {
        const text = line.text.trim();
        if (!text) continue;
        const { x0, y0, x1, y1 } = line.bbox;
        texts.push({
          text,
          confidence: Math.round(line.confidence),
          coordinates: [
            { x: x0, y: y0 },
            { x: x1, y: y0 },
            { x: x1, y: y1 },
            { x: x0, y: y1 },
          ],
        });
      }
  const language = /[\u3400-\u9fff]/.test(data.text) ? 'zh' : 'en';
  return { texts, language };
}

export async function stopOcr(): Promise<void> {
  const w = worker;
  worker = undefined;
  if (w) await (await w).terminate();
}
