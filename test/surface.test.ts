/**
 * The README's action and event table is generated from the action table; it must not be
 * stale. And every action and event must have a conformance test: each name has to appear,
 * quoted, in a file under test/conformance/.
 */
import { readdir, readFile } from 'node:fs/promises';
import { actions, events, withSurfaceTable } from '@cqfleet/onebot';
import { describe, expect, it } from 'vitest';

const root = new URL('../', import.meta.url);

describe('surface', () => {
  it('README.md carries the current table (npm run docs)', async () => {
    const readme = await readFile(new URL('README.md', root), 'utf8');
    expect(withSurfaceTable(readme)).toBe(readme);
  });

  it('every action and every event has a conformance test', async () => {
    const dir = new URL('test/conformance/', root);
    const files = (await readdir(dir)).filter(f => f.endsWith('.int.test.ts'));
    const text = (await Promise.all(files.map(f => readFile(new URL(f, dir), 'utf8')))).join('\n');
    const missingActions = Object.keys(actions).filter(name => !text.includes(`'${name}'`));
    const missingEvents = Object.keys(events).filter(key => !text.includes(`'${key}'`));
    expect({ missingActions, missingEvents }).toEqual({ missingActions: [], missingEvents: [] });
  });
});
