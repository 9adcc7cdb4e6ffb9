/** Local files are read only under the configured roots: no `..`, no symlink leading out. */
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, it } from 'vitest';
import { localFile, pathOf } from '@cqfleet/runtime';

it('reads files under a root, and nothing that leads out of it', async () => {
  const top = await mkdtemp(join(tmpdir(), 'roots-'));
  const root = join(top, 'root');
  await mkdir(join(root, 'sub'), { recursive: true });
  await writeFile(join(root, 'sub', 'in.txt'), 'in');
  await writeFile(join(top, 'secret.txt'), 'out');
  await symlink(join(top, 'secret.txt'), join(root, 'escape.txt'));
  await symlink(join(root, 'sub', 'in.txt'), join(root, 'alias.txt'));
  await symlink(top, join(root, 'up'));

  expect(await localFile([root], join(root, 'sub', 'in.txt'))).toEqual({
    path: join(root, 'sub', 'in.txt'),
    size: 2,
  });
  // A symlink that stays inside is followed; one that leads out is refused.
  expect((await localFile([root], join(root, 'alias.txt')))?.path).toBe(
    join(root, 'sub', 'in.txt'),
  );
  expect(await localFile([root], join(root, 'escape.txt'))).toBeUndefined();
  expect(await localFile([root], join(root, 'up', 'secret.txt'))).toBeUndefined();
  expect(await localFile([root], join(root, 'sub', '..', '..', 'secret.txt'))).toBeUndefined();
  // Directories, missing files and the root itself are not files to read.
  expect(await localFile([root], join(root, 'sub'))).toBeUndefined();
  expect(await localFile([root], join(root, 'none.txt'))).toBeUndefined();
  expect(await localFile([root], root)).toBeUndefined();
  // Another root that does hold it.
  expect((await localFile([root, top], join(root, 'escape.txt')))?.path).toBe(
    join(top, 'secret.txt'),
  );
});

it('file:// URIs and absolute paths are paths; anything else is not', () => {
  expect(pathOf(pathToFileURL('/tmp/a b.png').href)).toBe('/tmp/a b.png');
  expect(pathOf('/tmp/x')).toBe('/tmp/x');
  expect(pathOf('relative/x')).toBeUndefined();
  expect(pathOf('https://example.com/x')).toBeUndefined();
});
