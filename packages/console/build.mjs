// Builds the console page: web/ → dist/public/ (index.html, app.js, app.css, favicon.svg).
// Run by the root `npm run build` after `tsc --build`; silent unless something is wrong.
//
//   node packages/console/build.mjs            one build (minified, no source maps)
//   node packages/console/build.mjs --sizes    the same, and print the assets' sizes
//   node packages/console/build.mjs --watch    rebuild on change (with source maps)
import { copyFile, mkdir, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import * as esbuild from 'esbuild';

const here = import.meta.dirname;
const web = path.join(here, 'web');
const out = path.join(here, 'dist', 'public');
const watch = process.argv.includes('--watch');
const sizes = process.argv.includes('--sizes');
/** Above this, app.js has grown past what a status page should weigh: say so. */
const JS_BUDGET = 70 * 1024;
const STATIC = ['index.html', 'favicon.svg'];

/** @type {import('esbuild').BuildOptions} */
const options = {
  entryPoints: { app: path.join(web, 'main.tsx') },
  outdir: out,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  // Browsers of the last few years: container queries, <dialog>, ES2020.
  target: ['es2020', 'chrome105', 'firefox110', 'safari16'],
  minify: !watch,
  sourcemap: watch ? 'linked' : false,
  legalComments: 'none',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  tsconfig: path.join(web, 'tsconfig.json'),
  logLevel: 'warning',
  metafile: true,
};

async function copyStatic() {
  for (const name of STATIC) await copyFile(path.join(web, name), path.join(out, name));
}

if (watch) {
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  await copyStatic();
  const ctx = await esbuild.context({
    ...options,
    plugins: [
      {
        name: 'static',
        setup(build) {
          build.onEnd(async result => {
            if (result.errors.length === 0) {
              await copyStatic();
              console.log(`console: rebuilt ${new Date().toLocaleTimeString()}`);
            }
          });
        },
      },
    ],
  });
  await ctx.watch();
  console.log(`console: watching ${path.relative(process.cwd(), web)}/`);
} else {
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  await esbuild.build(options);
  await copyStatic();
  const files = (await readdir(out)).sort();
  for (const required of ['index.html', 'app.js', 'app.css'])
    if (!files.includes(required)) throw new Error(`console build: ${required} is missing`);
  const size = async (/** @type {string} */ f) => (await stat(path.join(out, f))).size;
  const js = await size('app.js');
  if (js > JS_BUDGET)
    console.warn(`console build: app.js is ${(js / 1024).toFixed(1)} KiB, over its 70 KiB budget`);
  if (sizes)
    for (const f of files) {
      const n = await size(f);
      const shown = n < 1024 ? `${n} B` : `${(n / 1024).toFixed(1)} KiB`;
      console.log(`${path.relative(process.cwd(), path.join(out, f))}  ${shown}`);
    }
}
