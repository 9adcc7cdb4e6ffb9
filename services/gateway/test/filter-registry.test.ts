/**
 * `reload_event_filter`'s file handling (issue 15, item 3) on real files: only configured
 * filters are held and reloaded, files stay inside the filter directory (symlinks included),
 * only regular files are read, and never more than the cap.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { FilterRegistry } from '../src/events/filter-registry.js';
import { refused, silent } from './in-process.js';

let dir: string;
let outside: string;
beforeEach(async () => {
  const base = await mkdtemp(join(tmpdir(), 'gw-filters-'));
  dir = join(base, 'filters');
  outside = join(base, 'elsewhere');
  await mkdir(dir);
  await mkdir(outside);
});
afterEach(async () => {
  await rm(join(dir, '..'), { recursive: true, force: true });
});

const group = { post_type: 'message', group_id: 1 };
const onlyPrivate = JSON.stringify({ message_type: 'private' });

async function registry(maxBytes = 4096, filterDir = dir) {
  await writeFile(join(dir, 'main.json'), JSON.stringify({ post_type: 'message' }));
  const filters = new FilterRegistry({ dir: filterDir, maxBytes }, silent);
  await filters.configure(filterDir ? 'main.json' : join(dir, 'main.json'));
  return filters;
}

const reloadError = (filters: FilterRegistry, file: string) =>
  filters.reload(file).then(
    () => undefined,
    (err: { msg?: string }) => err.msg,
  );

describe('event filter registry - what a reload may read', () => {
  it('reloads a configured filter by its name or its path', async () => {
    const filters = await registry();
    expect(filters.passes('main.json', group)).toBe(true);
    await writeFile(join(dir, 'main.json'), onlyPrivate);
    await filters.reload('main.json');
    expect(filters.passes('main.json', group)).toBe(false);
    await writeFile(join(dir, 'main.json'), '{}');
    await filters.reload(join(dir, 'main.json'));
    expect(filters.passes('main.json', group)).toBe(true);
  });

  it('a path outside the directory, /dev/zero included, is refused without being read', async () => {
    const filters = await registry();
    const before = await refused('filter_refused');
    expect(await reloadError(filters, '/dev/zero')).toBe('FILE_OUTSIDE_ROOTS');
    expect(await reloadError(filters, '../elsewhere/x.json')).toBe('FILE_OUTSIDE_ROOTS');
    expect(await refused('filter_refused')).toBe(before + 2);
  });

  it('a file that is not a configured filter is refused; the registry does not grow', async () => {
    const filters = await registry();
    for (let i = 0; i < 50; i++) {
      await writeFile(join(dir, `other-${i}.json`), '{}');
      expect(await reloadError(filters, `other-${i}.json`)).toBe('INVALID_PARAMS');
    }
    expect(filters.size).toBe(1);
  });

  it('a configured filter replaced by a symlink out of the directory is refused; the old filter stays', async () => {
    const filters = await registry();
    await writeFile(join(dir, 'main.json'), onlyPrivate);
    await filters.reload('main.json');
    await writeFile(join(outside, 'secret.json'), '{}');
    await rm(join(dir, 'main.json'));
    await symlink(join(outside, 'secret.json'), join(dir, 'main.json'));
    expect(await reloadError(filters, 'main.json')).toBe('FILE_OUTSIDE_ROOTS');
    await rm(join(dir, 'main.json'));
    await symlink('/dev/zero', join(dir, 'main.json'));
    expect(await reloadError(filters, 'main.json')).toBe('FILE_OUTSIDE_ROOTS');
    expect(filters.passes('main.json', group)).toBe(false);
  });

  it('a symlink that stays inside the directory is followed (how Kubernetes mounts ConfigMaps)', async () => {
    const filters = await registry();
    await mkdir(join(dir, '..data'));
    await writeFile(join(dir, '..data', 'main.json'), onlyPrivate);
    await rm(join(dir, 'main.json'));
    await symlink(join(dir, '..data', 'main.json'), join(dir, 'main.json'));
    await filters.reload('main.json');
    expect(filters.passes('main.json', group)).toBe(false);
  });

  it('a FIFO or a directory is refused at once, and a file over the cap is never read', async () => {
    const filters = await registry(4096);
    await rm(join(dir, 'main.json'));
    execFileSync('mkfifo', [join(dir, 'main.json')]);
    expect(await reloadError(filters, 'main.json')).toBe('LOAD_FILE_ERROR');
    await rm(join(dir, 'main.json'));
    await mkdir(join(dir, 'main.json'));
    expect(await reloadError(filters, 'main.json')).toBe('LOAD_FILE_ERROR');
    await rm(join(dir, 'main.json'), { recursive: true });
    await writeFile(join(dir, 'main.json'), '');
    await truncate(join(dir, 'main.json'), 8 * 1024 * 1024 * 1024); // 8 GiB, sparse
    expect(await reloadError(filters, 'main.json')).toBe('LOAD_FILE_ERROR');
  });

  it('a missing or unparsable file keeps the filter that works and is not an error (go-cqhttp)', async () => {
    const filters = await registry();
    await writeFile(join(dir, 'main.json'), onlyPrivate);
    await filters.reload('main.json');
    await writeFile(join(dir, 'main.json'), '{not json');
    await filters.reload('main.json');
    await rm(join(dir, 'main.json'));
    await filters.reload('main.json');
    expect(filters.passes('main.json', group)).toBe(false);
  });

  it('without GATEWAY_FILTER_DIR a configured filter is confined to its own directory', async () => {
    const filters = await registry(4096, '');
    const path = join(dir, 'main.json');
    expect(await reloadError(filters, '/dev/zero')).toBe('INVALID_PARAMS');
    await rm(path);
    await symlink('/dev/zero', path);
    expect(await reloadError(filters, path)).toBe('FILE_OUTSIDE_ROOTS');
  });
});

describe('event filter settings', () => {
  it('with GATEWAY_FILTER_DIR, a configured filter outside it stops the gateway at start-up', () => {
    expect(() =>
      loadConfig({ GATEWAY_FILTER_DIR: dir, GATEWAY_EVENT_FILTER: '/etc/passwd' }),
    ).toThrow(/GATEWAY_EVENT_FILTER/);
    expect(
      loadConfig({ GATEWAY_FILTER_DIR: dir, GATEWAY_EVENT_FILTER: 'main.json' }).eventFilter,
    ).toBe('main.json');
  });
});
