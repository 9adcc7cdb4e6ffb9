/**
 * Conformance: files carry their bytes end to end (issue 17). Two accounts of the demo world:
 * alpha (10001, owner of 100100) uploads, beta (10002, a plain member, alpha's friend) reads.
 * Every read downloads the bytes and compares them with what was uploaded — from a local path,
 * `base64://` and an `http(s)://` URL — and the NT-era file actions change what later reads see.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseCQ, type Segment } from '@cqfleet/onebot';
import {
  expectEvent,
  expectFailure,
  expectOk,
  type FileServer,
  ocrFixture,
  type OneBotHttp,
  type OneBotWs,
  startDemoWorld,
  startFileServer,
  type TestCluster,
} from '@cqfleet/testkit';
import type { SimControl } from '@cqfleet/sim-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const GROUP = 100100;
let cluster: TestCluster;
let alpha: OneBotHttp;
let beta: OneBotHttp;
let wsB: OneBotWs;
let sim: SimControl;
let close: () => Promise<void>;
let uploads: string;
let files: FileServer;

/** Binary content with every byte value, so nothing text-shaped slips through. */
const LOCAL = Buffer.concat([Buffer.from([0, 255, 13, 10, 26]), randomBytes(300 * 1024)]);
const INLINE = randomBytes(40 * 1024);
const REMOTE = randomBytes(200 * 1024);
/** A real image (sharp must read it), not the simulator's placeholder. */
const PNG = ocrFixture('en').png;

interface GroupFile {
  file_id: string;
  file_name: string;
  file_size: number;
  busid: number;
  dead_time: number;
  uploader: number;
}
interface Listing {
  files: GroupFile[] | null;
  folders: Array<{ folder_id: string; folder_name: string; total_file_count: number }> | null;
}

beforeAll(async () => {
  ({ cluster, alpha, beta, wsB, sim, close } = await startDemoWorld());
  uploads = join(cluster.options.cacheDir!, 'file-uploads');
  await mkdir(uploads, { recursive: true });
  files = await startFileServer({ '/dl/remote%20report.bin': REMOTE });
});

afterAll(async () => {
  await files?.close();
  await close?.();
});

async function download(url: string): Promise<Buffer> {
  const res = await fetch(url);
  expect(res.status, url).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

const same = (a: Buffer, b: Buffer) => expect(Buffer.compare(a, b), 'bytes differ').toBe(0);

async function listing(folderId = '/'): Promise<Listing> {
  return folderId === '/'
    ? expectOk<Listing>(beta, 'get_group_root_files', { group_id: GROUP })
    : expectOk<Listing>(beta, 'get_group_files_by_folder', {
        group_id: GROUP,
        folder_id: folderId,
      });
}

async function fileIn(fileId: string, folderId = '/'): Promise<GroupFile | undefined> {
  return (await listing(folderId)).files?.find(f => f.file_id === fileId);
}

/** Beta reads a group file both ways (URL, get_file) and gets exactly `bytes`. */
async function readsBack(fileId: string, bytes: Buffer, name: string): Promise<void> {
  const { url } = await expectOk<{ url: string }>(beta, 'get_group_file_url', {
    group_id: GROUP,
    file_id: fileId,
    busid: 102,
  });
  same(await download(url), bytes);
  const got = await expectOk<{ file: string; url: string; file_size: string; file_name: string }>(
    beta,
    'get_file',
    { file_id: fileId },
  );
  expect(got).toMatchObject({ file_size: String(bytes.length), file_name: name });
  same(await readFile(got.file), bytes);
  same(await download(got.url), bytes);
}

async function setSpace(totalSpace: number): Promise<void> {
  const res = await fetch(`${cluster.simulatorUrl}/groups/${GROUP}/file_space`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ total_space: totalSpace }),
  });
  expect(res.status).toBe(200);
}

describe('uploads carry their bytes', () => {
  it('upload_group_file from a local path, base64:// and http(s):// — served byte for byte', async () => {
    const path = join(uploads, 'local.bin');
    await writeFile(path, LOCAL);
    const local = await expectOk<{ file_id: string }>(alpha, 'upload_group_file', {
      group_id: GROUP,
      file: `file://${path}`,
    });
    const notice = await expectEvent(
      wsB,
      'notice.group_upload',
      e => (e.file as { id: string }).id === local.file_id,
    );
    expect(notice).toMatchObject({
      group_id: GROUP,
      user_id: 10001,
      file: { name: 'local.bin', size: LOCAL.length, busid: 102 },
    });
    same(await download((notice.file as { url: string }).url), LOCAL);
    await readsBack(local.file_id, LOCAL, 'local.bin');

    const inline = await expectOk<{ file_id: string }>(alpha, 'upload_group_file', {
      group_id: GROUP,
      file: `base64://${INLINE.toString('base64')}`,
      name: 'inline.dat',
    });
    await readsBack(inline.file_id, INLINE, 'inline.dat');

    // No name: the URL's last part names it.
    const remote = await expectOk<{ file_id: string }>(alpha, 'upload_group_file', {
      group_id: GROUP,
      file: files.url('/dl/remote%20report.bin'),
    });
    await readsBack(remote.file_id, REMOTE, 'remote report.bin');

    const sizes = new Map((await listing()).files!.map(f => [f.file_id, f.file_size]));
    expect(sizes.get(local.file_id)).toBe(LOCAL.length);
    expect(sizes.get(inline.file_id)).toBe(INLINE.length);
    expect(sizes.get(remote.file_id)).toBe(REMOTE.length);

    // Deleted: gone from the listing and from its URL.
    const { url } = await expectOk<{ url: string }>(beta, 'get_group_file_url', {
      group_id: GROUP,
      file_id: inline.file_id,
    });
    await expectOk(alpha, 'delete_group_file', { group_id: GROUP, file_id: inline.file_id });
    expect((await fetch(url)).status).toBe(404);
    expect(await fileIn(inline.file_id)).toBeUndefined();
    await expectFailure(beta, 'get_file', { file_id: inline.file_id }, 'FILE_NOT_FOUND');
  });

  it('sources that cannot be read keep go-cqhttp’s tags; refused addresses keep theirs', async () => {
    await expectFailure(
      alpha,
      'upload_group_file',
      { group_id: GROUP, file: '/etc/passwd' },
      'FILE_NOT_FOUND',
    );
    await expectFailure(
      alpha,
      'upload_group_file',
      { group_id: GROUP, file: `${uploads}/../../../../etc/passwd` },
      'FILE_NOT_FOUND',
    );
    await expectFailure(
      alpha,
      'upload_private_file',
      { user_id: 10002, file: 'file:///etc/hostname' },
      'OPEN_FILE_ERROR',
    );
    await expectFailure(
      alpha,
      'upload_group_file',
      { group_id: GROUP, file: 'http://10.255.255.1/secret.bin', name: 'x' },
      'FORBIDDEN_ADDRESS',
    );
  });

  it('upload_private_file: a file message NT clients read (and offline_file), its URL serves the bytes', async () => {
    const sent = await expectOk<{ file_id: string }>(alpha, 'upload_private_file', {
      user_id: 10002,
      file: `base64://${INLINE.toString('base64')}`,
      name: 'note.bin',
    });
    const message = await expectEvent(
      wsB,
      'message.private.friend',
      e => e.user_id === 10001 && String(e.raw_message).includes(sent.file_id),
    );
    const segs: Segment[] = Array.isArray(message.message)
      ? (message.message as Segment[])
      : parseCQ(String(message.message));
    expect(segs).toEqual([
      {
        type: 'file',
        data: { file: 'note.bin', file_id: sent.file_id, file_size: String(INLINE.length) },
      },
    ]);
    const offline = await expectEvent(wsB, 'notice.offline_file', e => e.user_id === 10001);
    expect(offline.file).toMatchObject({ name: 'note.bin', size: INLINE.length });
    same(await download((offline.file as { url: string }).url), INLINE);

    // The receiver and the sender get the URL; nobody else does.
    for (const who of [beta, alpha]) {
      const { url } = await expectOk<{ url: string }>(who, 'get_private_file_url', {
        file_id: sent.file_id,
      });
      same(await download(url), INLINE);
    }
    await expect(sim.act(20001, 'get_private_file_url', { file_id: sent.file_id })).rejects.toThrow(
      /FILE_NOT_FOUND/,
    );
    const got = await expectOk<{ file: string; file_size: string; file_name: string }>(
      beta,
      'get_file',
      { file: sent.file_id },
    );
    expect(got).toMatchObject({ file_size: String(INLINE.length), file_name: 'note.bin' });
    same(await readFile(got.file), INLINE);
    // Kept under the receiving account and the URL it was fetched from, not under a name the
    // QQ side gave (services/media cache-key.ts: another tenant's sends never read it).
    expect(got.file).toMatch(/\/r10002-[0-9a-f]{32}\.bin$/);
  });

  it('upload_image answers a URL that serves the image', async () => {
    const url = await expectOk<string>(alpha, 'upload_image', {
      file: `base64://${PNG.toString('base64')}`,
    });
    expect(url).toMatch(/^http:\/\//);
    same(await download(url), PNG);
    const path = join(uploads, 'pic.png');
    await writeFile(path, PNG);
    same(await download(await expectOk<string>(alpha, 'upload_image', { file: path })), PNG);
    await expectFailure(alpha, 'upload_image', { file: '/etc/passwd' }, 'LOAD_FILE_ERROR');
  });
});

describe('the NT-era file actions change what later reads see', () => {
  it('create_group_file_folder answers {folder_id}; move, rename and folder rename show in listings', async () => {
    const { folder_id } = await expectOk<{ folder_id: string }>(alpha, 'create_group_file_folder', {
      group_id: GROUP,
      name: 'archive',
    });
    const path = join(uploads, 'moved.bin');
    await writeFile(path, LOCAL);
    const { file_id } = await expectOk<{ file_id: string }>(alpha, 'upload_group_file', {
      group_id: GROUP,
      file: path,
      name: 'moved.bin',
    });

    // A plain member who did not upload it moves nothing; the uploader moves it.
    await expectFailure(
      beta,
      'move_group_file',
      {
        group_id: GROUP,
        file_id,
        current_parent_directory: '/',
        target_parent_directory: folder_id,
      },
      'FILE_SYSTEM_API_ERROR',
    );
    await expectFailure(
      alpha,
      'move_group_file',
      {
        group_id: GROUP,
        file_id,
        current_parent_directory: folder_id,
        target_parent_directory: '/',
      },
      'FILE_SYSTEM_API_ERROR',
    );
    expect(
      await expectOk(alpha, 'move_group_file', {
        group_id: GROUP,
        file_id,
        current_parent_directory: '/',
        target_parent_directory: folder_id,
      }),
    ).toEqual({ ok: true });
    expect(await fileIn(file_id)).toBeUndefined();
    expect(await fileIn(file_id, folder_id)).toMatchObject({ file_name: 'moved.bin' });
    expect((await listing()).folders!.find(f => f.folder_id === folder_id)).toMatchObject({
      total_file_count: 1,
    });

    expect(
      await expectOk(alpha, 'rename_group_file', {
        group_id: GROUP,
        file_id,
        current_parent_directory: folder_id,
        new_name: 'renamed.bin',
      }),
    ).toEqual({ ok: true });
    expect(await fileIn(file_id, folder_id)).toMatchObject({ file_name: 'renamed.bin' });
    await readsBack(file_id, LOCAL, 'renamed.bin');

    expect(
      await expectOk(alpha, 'rename_group_file_folder', {
        group_id: GROUP,
        folder_id,
        new_folder_name: 'old stuff',
      }),
    ).toBeNull();
    expect((await listing()).folders!.find(f => f.folder_id === folder_id)).toMatchObject({
      folder_name: 'old stuff',
    });
    await expectFailure(
      beta,
      'rename_group_file_folder',
      { group_id: GROUP, folder_id, new_folder_name: 'mine' },
      'FILE_SYSTEM_API_ERROR',
    );
  });

  it('beyond the permanent space a file is temporary; trans_group_file / set_group_file_forever make it permanent', async () => {
    const info = () =>
      expectOk<{ used_space: number; total_space: number }>(beta, 'get_group_file_system_info', {
        group_id: GROUP,
      });
    const used = (await info()).used_space;
    await setSpace(used + 10);
    try {
      const a = await expectOk<{ file_id: string }>(alpha, 'upload_group_file', {
        group_id: GROUP,
        file: `base64://${INLINE.toString('base64')}`,
        name: 'temp-a.bin',
      });
      const temp = await fileIn(a.file_id);
      expect(temp!.dead_time).toBeGreaterThan(Date.now() / 1000);
      expect(await info()).toMatchObject({ used_space: used, total_space: used + 10 });
      await expectFailure(
        alpha,
        'set_group_file_forever',
        { group_id: GROUP, file_id: a.file_id },
        'FILE_SYSTEM_API_ERROR',
      );

      await setSpace(used + INLINE.length);
      expect(
        await expectOk(alpha, 'trans_group_file', { group_id: GROUP, file_id: a.file_id }),
      ).toEqual({ ok: true });
      expect(await fileIn(a.file_id)).toMatchObject({ dead_time: 0 });
      expect((await info()).used_space).toBe(used + INLINE.length);
      await readsBack(a.file_id, INLINE, 'temp-a.bin');

      const b = await expectOk<{ file_id: string }>(alpha, 'upload_group_file', {
        group_id: GROUP,
        file: `base64://${REMOTE.toString('base64')}`,
        name: 'temp-b.bin',
      });
      expect((await fileIn(b.file_id))!.dead_time).toBeGreaterThan(0);
      await setSpace(10 * 1024 ** 3);
      expect(
        await expectOk(alpha, 'set_group_file_forever', { group_id: GROUP, file_id: b.file_id }),
      ).toBeNull();
      expect(await fileIn(b.file_id)).toMatchObject({ dead_time: 0 });
      expect((await info()).used_space).toBe(used + INLINE.length + REMOTE.length);
    } finally {
      await setSpace(10 * 1024 ** 3);
    }
  });
});
