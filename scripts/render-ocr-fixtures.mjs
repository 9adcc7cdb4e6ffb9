#!/usr/bin/env node
/**
 * Renders the OCR test images into packages/testkit/fixtures/ocr/: each `<name>.png` with the
 * text it holds beside it in `<name>.txt` (one line of text per line of the image).
 *
 * The images are committed, so no test needs a system font. Rendering them again needs the
 * fonts named below (Debian: fonts-dejavu-core, fonts-wqy-zenhei):
 *
 *   node scripts/render-ocr-fixtures.mjs
 */
import { execFileSync } from 'node:child_process';
import { Buffer } from 'node:buffer';
import { mkdir, writeFile } from 'node:fs/promises';
import sharp from 'sharp';

const OUT = new URL('../packages/testkit/fixtures/ocr/', import.meta.url);
const LATIN = 'DejaVu Sans';
const CJK = 'WenQuanYi Zen Hei';

/**
 * name → { width, font, size, lines }; a line is its text, or `{ text, size }` when it is
 * drawn at a size of its own.
 */
const FIXTURES = {
  en: { width: 640, font: LATIN, size: 44, lines: ['Hello cqfleet 2026'] },
  zh: { width: 760, font: CJK, size: 64, lines: ['今天天气很好', '消息历史记录 2026'] },
  mixed: { width: 560, font: CJK, size: 36, lines: ['OneBot 协议', 'cqfleet 群消息 42'] },
  upstream: { width: 640, font: LATIN, size: 44, lines: ['Upstream OCR 2026'] },
  // Large, clean text: tesseract read 机器人 as 机项人 and the second line with a stray 和
  // until media scaled images to a text height it reads well (services/media/src/ocr.ts).
  large: {
    width: 720,
    font: CJK,
    size: 72,
    lines: ['机器人', { text: 'cqfleet 群消息 42', size: 56 }],
  },
};

// The media benchmark reads several different English images, so that no answer is a repeat.
const WORDS = ['fleet', 'gateway', 'session', 'history', 'media', 'bench', 'stream', 'queue'];
for (let i = 0; i < 8; i++)
  FIXTURES[`bench-${i}`] = {
    width: 560,
    font: LATIN,
    size: 40,
    lines: [`${WORDS[i]} ${1000 + i} ${WORDS[(i * 3 + 1) % WORDS.length]}`],
  };

function requireFont(family) {
  const found = execFileSync('fc-list', [':', 'family'], { encoding: 'utf8' });
  if (!found.includes(family))
    throw new Error(
      `font "${family}" is not installed (Debian: fonts-dejavu-core, fonts-wqy-zenhei)`,
    );
}

const textOf = line => (typeof line === 'string' ? line : line.text);

function svg({ width, font, size, lines }) {
  // Each line takes 1.7 times its size; the baseline sits a quarter of the size above its end.
  let y = 0;
  const texts = lines.map(line => {
    const s = typeof line === 'string' ? size : line.size;
    y += Math.round(s * 1.7);
    return `<text x="24" y="${y - Math.round(s * 0.25)}" font-family="${font}" font-size="${s}" fill="black">${textOf(line)}</text>`;
  });
  const height = y + Math.round(size * 0.6);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="white"/>${texts.join('')}</svg>`;
}

await mkdir(OUT, { recursive: true });
for (const family of new Set(Object.values(FIXTURES).map(f => f.font))) requireFont(family);
for (const [name, fixture] of Object.entries(FIXTURES)) {
  // Grey, 8-bit, maximum compression: a few kilobytes each.
  const png = await sharp(Buffer.from(svg(fixture)))
    .flatten({ background: '#ffffff' })
    .greyscale()
    .png({ compressionLevel: 9, palette: true, colours: 16 })
    .toBuffer();
  await writeFile(new URL(`${name}.png`, OUT), png);
  const lines = fixture.lines.map(textOf);
  await writeFile(new URL(`${name}.txt`, OUT), `${lines.join('\n')}\n`);
  console.log(`${name}.png  ${png.length} B  ${lines.join(' / ')}`);
}
