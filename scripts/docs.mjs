// Writes the table of every action and event into README.md (between the surface markers),
// from the built @cqfleet/onebot. Run by `npm run docs`; a test fails when it is stale.
import { readFile, writeFile } from 'node:fs/promises';
import { withSurfaceTable } from '@cqfleet/onebot';

const path = new URL('../README.md', import.meta.url);
const before = await readFile(path, 'utf8');
const after = withSurfaceTable(before);
if (after !== before) await writeFile(path, after);
console.log(
  after === before ? 'README.md surface table is up to date' : 'README.md surface table written',
);
