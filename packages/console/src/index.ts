/**
 * @cqfleet/console — where the built console lives, for the gateway to serve.
 *
 * The page itself (`web/`) is bundled by `build.mjs` into `dist/public/` at `npm run build`.
 */
import { fileURLToPath } from 'node:url';

/** Directory of the built console (index.html and its assets), from src/ or dist/. */
export const CONSOLE_ASSETS_DIR = fileURLToPath(new URL('../dist/public/', import.meta.url));
