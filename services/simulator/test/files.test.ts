/**
 * Files on the simulated network (issue 17): content goes up the upload channel (checked by
 * md5), upload ops name it by md5 and size, file URLs serve exactly it; moves, renames,
 * temporary files and private files follow the rules of world/file-rules.ts, group-files.ts and private-files.ts. In process, through
 * the real HTTP server.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createLogger } from '@cqfleet/runtime';
import type { SimEvent } from '@cqfleet/sim-client';
import {
  callerOf,
  DEMO_WORLD_PATH,
  loadWorldFile,
  type OpCaller,
  opTable,
  type RunningSimulator,
  startSimulator,
} from '@cqfleet/simulator';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { FileStore } from '../src/world/file-store.js';

const GROUP = 100100;
let sim: RunningSimulator;
let ops: OpCaller;
const events: Array<{ uin: number; event: SimEvent }> = [];

beforeAll(async () => {
  sim = await startSimulator(
    await loadWorldFile(DEMO_WORLD_PATH),
    { host: '127.0.0.1', port: 0, seqBase: 1000 },
    createLogger('test', 'silent'),
  );
  ops = callerOf(opTable(sim.world));
  const deliver = sim.world.onAccountEvent;
  sim.world.onAccountEvent = (uin, event) => {
    events.push({ uin, event });
    deliver(uin, event);
  };
});
afterAll(() => sim.close());
afterEach(() => vi.useRealTimers());

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
const fails = (fn: () => unknown, code: string) =>
  expect(fn).toThrowError(expect.objectContaining({ code }));

/** Sends content up the upload channel, as the media workers do. */
async function put(bytes: Buffer, name = `${md5(bytes)}.file`): Promise<number> {
  const { url } = ops.file_upload_ticket({}, 10001);
  return (await fetch(`${url}/${name}`, { method: 'PUT', body: bytes })).status;
}

async function get(url: string): Promise<{ status: number; bytes: Buffer }> {
  const res = await fetch(url);
  return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()) };
}

describe('the upload channel and what file URLs serve', () => {
  it('takes content under its md5 only; HEAD says whether the network has it', async () => {
    const bytes = randomBytes(1000);
    const { url } = ops.file_upload_ticket({}, 10001);
    expect((await fetch(`${url}/${md5(bytes)}.file`, { method: 'HEAD' })).status).toBe(404);
    expect(await put(bytes, `${'0'.repeat(32)}.file`)).toBe(400);
    expect(await put(bytes)).toBe(201);
    expect((await fetch(`${url}/${md5(bytes)}.file`, { method: 'HEAD' })).status).toBe(200);
  });

  it('an upload names uploaded content by md5 and its exact size; the URL serves it', async () => {
    const bytes = randomBytes(4096);
    await put(bytes);
    const name = { group_id: GROUP, name: 'x.bin', folder: '/', md5: md5(bytes) };
    fails(
      () => ops.upload_group_file({ ...name, size: 4095 }, 10001),
      'FILE_SYSTEM_UPLOAD_API_ERROR',
    );
    fails(
      () =>
        ops.upload_group_file({ ...name, md5: md5(Buffer.from('never sent')), size: 10 }, 10001),
      'FILE_SYSTEM_UPLOAD_API_ERROR',
    );
    const { file_id } = ops.upload_group_file({ ...name, size: 4096 }, 10001);
    const { url } = ops.get_file_url({ group_id: GROUP, file_id, busid: 102 }, 10002);
    const got = await get(url);
    expect(got.status).toBe(200);
    expect(Buffer.compare(got.bytes, bytes)).toBe(0);
    expect(ops.get_file_info({ file_id }, 10002)).toMatchObject({
      file_name: 'x.bin',
      file_size: 4096,
      md5: md5(bytes),
      group_id: GROUP,
      url,
    });
    // A person outside the group does not see it.
    fails(() => ops.get_file_info({ file_id }, 20006), 'FILE_NOT_FOUND');
    ops.delete_file({ group_id: GROUP, file_id, busid: 0 }, 10001);
    expect((await get(url)).status).toBe(404);
  });

  it('a file uploaded without its bytes (a person, control API) serves a placeholder', async () => {
    const { file_id } = ops.upload_group_file(
      { group_id: GROUP, name: 'talk.txt', size: 10, folder: '' },
      20002,
    );
    const { url } = ops.get_file_url({ group_id: GROUP, file_id, busid: 0 }, 10001);
    expect((await get(url)).bytes.toString()).toBe('simulated file talk.txt\n');
    ops.delete_file({ group_id: GROUP, file_id, busid: 0 }, 20002);
  });
});

describe('file rules', () => {
  it('moves and renames: the uploader and admins, into folders that exist, names without slashes', () => {
    const { folder_id } = ops.create_folder({ group_id: GROUP, parent_id: '/', name: 'm' }, 10001);
    const { file_id } = ops.upload_group_file(
      { group_id: GROUP, name: 'a.txt', size: 1, folder: '/' },
      20003,
    );
    const move = { group_id: GROUP, file_id, parent_id: '/', target_id: folder_id };
    fails(() => ops.move_file(move, 20002), 'FILE_SYSTEM_API_ERROR');
    fails(() => ops.move_file({ ...move, target_id: '/nope' }, 20003), 'FILE_SYSTEM_API_ERROR');
    fails(() => ops.move_file({ ...move, parent_id: folder_id }, 20003), 'FILE_SYSTEM_API_ERROR');
    ops.move_file(move, 20003);
    expect(ops.list_files({ group_id: GROUP, folder_id }, 10002).files).toEqual([
      expect.objectContaining({ file_id, file_name: 'a.txt' }),
    ]);
    const rename = { group_id: GROUP, file_id, parent_id: folder_id };
    fails(() => ops.rename_file({ ...rename, name: 'a/b' }, 20001), 'FILE_SYSTEM_API_ERROR');
    fails(() => ops.rename_file({ ...rename, name: ' ' }, 20001), 'FILE_SYSTEM_API_ERROR');
    ops.rename_file({ ...rename, name: 'b.txt' }, 20001);
    expect(ops.list_files({ group_id: GROUP, folder_id }, 10002).files?.[0]?.file_name).toBe(
      'b.txt',
    );

    ops.create_folder({ group_id: GROUP, parent_id: '/', name: 'taken' }, 10001);
    const folder = { group_id: GROUP, folder_id };
    fails(() => ops.rename_folder({ ...folder, name: 'taken' }, 10001), 'FILE_SYSTEM_API_ERROR');
    fails(() => ops.rename_folder({ ...folder, name: 'mine' }, 20003), 'FILE_SYSTEM_API_ERROR');
    ops.rename_folder({ ...folder, name: 'moved' }, 20001);
    expect(
      ops.list_files({ group_id: GROUP, folder_id: '/' }, 10002).folders?.map(f => f.folder_name),
    ).toContain('moved');
  });

  it('beyond the permanent space a file is temporary, goes away when its time is up, and can be made permanent', () => {
    vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    const used = ops.get_fs_info({ group_id: GROUP }, 10001).used_space;
    sim.world.fileStore.space.set(GROUP, used + 5);
    try {
      const upload = (name: string) =>
        ops.upload_group_file({ group_id: GROUP, name, size: 10, folder: '/' }, 10001).file_id;
      const a = upload('temp-a');
      const b = upload('temp-b');
      const deadTime = (id: string) =>
        ops
          .list_files({ group_id: GROUP, folder_id: '/' }, 10001)
          .files?.find(f => f.file_id === id)?.dead_time;
      expect(deadTime(a)).toBe(Date.now() / 1000 + 7 * 24 * 3600);
      expect(ops.get_fs_info({ group_id: GROUP }, 10001).used_space).toBe(used);
      fails(
        () => ops.set_file_forever({ group_id: GROUP, file_id: a }, 10001),
        'FILE_SYSTEM_API_ERROR',
      );
      sim.world.fileStore.space.set(GROUP, used + 10);
      fails(
        () => ops.set_file_forever({ group_id: GROUP, file_id: a }, 20003),
        'FILE_SYSTEM_API_ERROR',
      );
      ops.set_file_forever({ group_id: GROUP, file_id: a }, 10001);
      expect(deadTime(a)).toBe(0);
      expect(ops.get_fs_info({ group_id: GROUP }, 10001).used_space).toBe(used + 10);
      vi.setSystemTime(Date.now() + 7 * 24 * 3600 * 1000);
      expect(deadTime(b)).toBeUndefined();
      expect(deadTime(a)).toBe(0);
      ops.delete_file({ group_id: GROUP, file_id: a, busid: 0 }, 10001);
    } finally {
      sim.world.fileStore.space.delete(GROUP);
    }
  });

  it('private files: a file message and offline_file to the friend; the URL for the two of them only', async () => {
    const bytes = randomBytes(777);
    await put(bytes);
    events.length = 0;
    const { file_id } = ops.upload_private_file(
      { user_id: 10002, name: 'p.bin', size: 777, md5: md5(bytes) },
      10001,
    );
    const kinds = events.filter(e => e.uin === 10002).map(e => e.event);
    expect(kinds).toEqual([
      expect.objectContaining({
        kind: 'private_message',
        elements: [{ type: 'file', data: { file: 'p.bin', file_id, file_size: '777' } }],
      }),
      expect.objectContaining({
        kind: 'offline_file',
        user_id: 10001,
        file: expect.objectContaining({ name: 'p.bin', size: 777 }),
      }),
    ]);
    for (const who of [10001, 10002]) {
      const { url } = ops.get_private_file_url({ file_id }, who);
      expect(Buffer.compare((await get(url)).bytes, bytes)).toBe(0);
    }
    fails(() => ops.get_private_file_url({ file_id }, 20001), 'FILE_NOT_FOUND');
    fails(
      () => ops.upload_private_file({ user_id: 20006, name: 'x', size: 1 }, 10001),
      'FILE_SYSTEM_UPLOAD_API_ERROR',
    );
  });
});

describe('the file store', () => {
  it('drops the oldest content no file names to make room, never content a file names', () => {
    const store = new FileStore(100);
    const blob = (n: number, fill: number) => Buffer.alloc(n, fill);
    const [a, b, c] = [blob(40, 1), blob(40, 2), blob(40, 3)];
    store.put(md5(a), a, () => new Set());
    store.put(md5(b), b, () => new Set());
    store.put(md5(c), c, () => new Set([md5(b)]));
    expect([store.has(md5(a)), store.has(md5(b)), store.has(md5(c))]).toEqual([false, true, true]);
    const d = blob(40, 4);
    fails(
      () => store.put(md5(d), d, () => new Set([md5(b), md5(c)])),
      'FILE_SYSTEM_UPLOAD_API_ERROR',
    );
    fails(() => store.put(md5(d), c, () => new Set()), 'BAD_REQUEST');
  });
});
