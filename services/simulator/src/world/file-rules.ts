/**
 * What the file operations share: the checks of a name and a size, a group's permanent space,
 * the lookups and permission checks of group files and folders, and the URLs files are served
 * at (group-files.ts, private-files.ts, file-content.ts).
 *
 * Temporary files: a file that does not fit the group's permanent space is kept as a
 * temporary file for a week (`dead_time` set, not counted in `used_space`), then goes away;
 * `set_file_forever` makes it permanent when there is room.
 */
import { SimError, type SimGroupFile } from '@cqfleet/sim-client';
import { GROUP_SPACE_BYTES, type GroupState, now, type WorldState } from './state.js';

export const ROOT = '/';
/** Largest file a group or a friend takes (the count of its bytes, with or without them). */
export const MAX_FILE_BYTES = 4 * 1024 ** 3;
/** How long a temporary group file lives. */
export const TEMPORARY_FILE_S = 7 * 24 * 3600;
const MAX_NAME = 255;

export type StoredFile = SimGroupFile & { folder: string };

export function checkName(name: string, tag: string): string {
  const n = name.trim();
  if (n === '') throw new SimError(tag, 'a file needs a name');
  if (n.length > MAX_NAME) throw new SimError(tag, `a name is at most ${MAX_NAME} characters`);
  // eslint-disable-next-line no-control-regex
  if (/[/\\\u0000-\u001f]/.test(n))
    throw new SimError(tag, 'a name has no slashes or control characters');
  return n;
}

export function checkSize(size: number, tag: string): void {
  if (size < 0 || size > MAX_FILE_BYTES)
    throw new SimError(tag, `a file has 0 to ${MAX_FILE_BYTES} bytes`);
}

export function totalSpace(w: WorldState, g: GroupState): number {
  return w.fileStore.space.get(g.info.group_id) ?? GROUP_SPACE_BYTES;
}

/** Bytes of the group's permanent files (temporary ones have their own, unlimited, space). */
export function usedSpace(g: GroupState): number {
  let total = 0;
  for (const f of g.files.values()) if (f.dead_time === 0) total += f.file_size;
  return total;
}

/** Temporary files whose time is up are gone. */
export function sweep(w: WorldState, g: GroupState): void {
  const t = now();
  for (const [id, f] of g.files) if (f.dead_time !== 0 && f.dead_time <= t) removeFile(w, g, id);
}

export function removeFile(w: WorldState, g: GroupState, fileId: string): void {
  g.files.delete(fileId);
  w.fileStore.groupContent.delete(fileId);
}

/** A member's view of the group's files, expired ones gone. */
export function filesOf(w: WorldState, actor: number, groupId: number): GroupState {
  const g = w.memberGroup(actor, groupId);
  sweep(w, g);
  return g;
}

export function findFile(g: GroupState, fileId: string, busid: number, tag: string): StoredFile {
  const f = g.files.get(fileId);
  if (!f || (busid !== 0 && f.busid !== busid)) throw new SimError(tag, `no file ${fileId}`);
  return f;
}

/** The uploader and managers change a file. */
export function requireOwnerOrManager(
  w: WorldState,
  g: GroupState,
  f: StoredFile,
  actor: number,
  tag: string,
) {
  if (f.uploader !== actor && !w.isManager(g, actor))
    throw new SimError(tag, 'only the uploader and admins change a file');
}

export const folderOf = (id: string) => (id === '' ? ROOT : id);

export function requireFolder(g: GroupState, id: string, tag: string): string {
  const folder = folderOf(id);
  if (folder !== ROOT && !g.folders.has(folder)) throw new SimError(tag, `no folder ${id}`);
  return folder;
}

export function groupFileUrl(w: WorldState, groupId: number, f: StoredFile): string {
  return w.mediaUrl(
    'file',
    `group/${groupId}/${f.file_id.slice(1)}/${encodeURIComponent(f.file_name)}`,
  );
}

/** What a file without uploaded bytes serves. */
export const placeholder = (name: string) => Buffer.from(`simulated file ${name}\n`);
