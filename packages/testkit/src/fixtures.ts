/**
 * Committed test images (`packages/testkit/fixtures/`), so that no test depends on a font
 * installed on the machine. `scripts/render-ocr-fixtures.mjs` renders them again.
 *
 * Exported on its own (`@cqfleet/testkit/fixtures`) as well: the benchmarks read the images
 * without loading vitest.
 */
import { readFileSync } from 'node:fs';

export interface OcrFixture {
  name: string;
  png: Buffer;
  /** The text of each line of the image, as drawn. */
  lines: string[];
}

/**
 * Images of text: `en`, `zh`, `mixed`, `upstream`, `large` (clean Chinese at 72 and 56 px),
 * `bench-0` … `bench-7`.
 */
export type OcrFixtureName = 'en' | 'zh' | 'mixed' | 'upstream' | 'large' | `bench-${number}`;

const DIR = new URL('../fixtures/ocr/', import.meta.url);

export function ocrFixture(name: OcrFixtureName): OcrFixture {
  const lines = readFileSync(new URL(`${name}.txt`, DIR), 'utf8')
    .split('\n')
    .filter(Boolean);
  return { name, png: readFileSync(new URL(`${name}.png`, DIR)), lines };
}
