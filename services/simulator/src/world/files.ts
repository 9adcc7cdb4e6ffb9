/**
 * Group files: a root with one level of folders, a file-count limit and a permanent space;
 * uploads announce `group_upload`; deletes, moves and renames are for the uploader and
 * managers, folders for managers. Private files arrive as a `file` message (what NT clients
 * show) and an `offline_file` notice (what go-cqhttp reported).
 *
 * Bytes: an upload that names its content by md5 (after sending it on the upload channel,
 * file-store.ts) is served byte for byte at the file's URL; one without (a simulated person's
 * upload through the control API) serves a line of placeholder text.
 *
 * Temporary files: a file that does not fit the group's permanent space is kept as a
 * temporary file for a week (`dead_time` set, not counted in `used_space`), then goes away;
 * `set_file_forever` makes it permanent when there is room.
 */
import { createHash } from 'node:crypto';
import {
  SimError,
  type SimFileListing,
  type SimFileSystemInfo,
  type SimGroupFile,
} from '@cqfleet/sim-client';
import { MAX_FILE_UPLOAD_BYTES, type PrivateFile } from './file-store.js';
import { sendPrivateMessage } from './messages.js';
import {
  GROUP_FILE_LIMIT,
  GROUP_SPACE_BYTES,
  type GroupState,
  newId,
  now,
  type WorldState,
} from './state.js';

const ROOT = '/';
const BUSID = 102;
/** Largest file a group or a friend takes (the count of its bytes, with or without them). */
export const MAX_FILE_BYTES = 4 * 1024 ** 3;
/** How long a temporary group file lives. */
export const TEMPORARY_FILE_S = 7 * 24 * 3600;
const MAX_NAME = 255;

type StoredFile = SimGroupFile & { folder: string };

// --- what every operation shares ------------------------------------------------------------

function checkName(name: string, tag: string): string {
  const n = name.trim();
  if (n === '') throw new SimError(tag, 'a file needs a name');
  if (n.length > MAX_NAME) throw new SimError(tag, `a name is at most ${MAX_NAME} characters`);
  // eslint-disable-next-line no-control-regex
  if (/[/\\\u0000-\u001f]/.test(n))
    throw new SimError(tag, 'a name has no slashes or control characters');
  return n;
}

function checkSize(size: number, tag: string): void {
  if (size < 0 || size > MAX_FILE_BYTES)
    throw new SimError(tag, `a file has 0 to ${MAX_FILE_BYTES} bytes`);
}

function totalSpace(w: WorldState, g: GroupState): number {
  return w.fileStore.space.get(g.info.group_id) ?? GROUP_SPACE_BYTES;
}

/** Bytes of the group's permanent files (temporary ones have their own, unlimited, space). */
function usedSpace(g: GroupState): number {
  let total = 0;
  for (const f of g.files.values()) if (f.dead_time === 0) total += f.file_size;
  return total;
}

/** Temporary files whose time is up are gone. */
function sweep(w: WorldState, g: GroupState): void {
  const t = now();
  for (const [id, f] of g.files) if (f.dead_time !== 0 && f.dead_time <= t) removeFile(w, g, id);
}

function removeFile(w: WorldState, g: GroupState, fileId: string): void {
  g.files.delete(fileId);
  w.fileStore.groupContent.delete(fileId);
}

/** A member's view of the group's files, expired ones gone. */
function filesOf(w: WorldState, actor: number, groupId: number): GroupState {
  const g = w.memberGroup(actor, groupId);
  sweep(w, g);
  return g;
}

function findFile(g: GroupState, fileId: string, busid: number, tag: string): StoredFile {
  const f = g.files.get(fileId);
  if (!f || (busid !== 0 && f.busid !== busid)) throw new SimError(tag, `no file ${fileId}`);
  return f;
}

/** The uploader and managers change a file. */
function requireOwnerOrManager(
  w: WorldState,
  g: GroupState,
  f: StoredFile,
  actor: number,
  tag: string,
) {
  if (f.uploader !== actor && !w.isManager(g, actor))
    throw new SimError(tag, 'only the uploader and admins change a file');
}

const folderOf = (id: string) => (id === '' ? ROOT : id);

function requireFolder(g: GroupState, id: string, tag: string): string {
  const folder = folderOf(id);
  if (folder !== ROOT && !g.folders.has(folder)) throw new SimError(tag, `no folder ${id}`);
  return folder;
}

function groupFileUrl(w: WorldState, groupId: number, f: StoredFile): string {
  return w.mediaUrl(
    'file',
    `group/${groupId}/${f.file_id.slice(1)}/${encodeURIComponent(f.file_name)}`,
  );
}

function privateFileUrl(w: WorldState, f: PrivateFile): string {
  return w.mediaUrl('file', `private/${f.file_id}/${encodeURIComponent(f.file_name)}`);
}

/** What a file without uploaded bytes serves. */
const placeholder = (name: string) => Buffer.from(`simulated file ${name}\n`);

/** The md5s files still name: content never dropped to make room (file-store.ts). */
export function liveContent(w: WorldState): Set<string> {
  const live = new Set<string>();
  const store = w.fileStore;
  for (const [id, c] of store.groupContent) {
    // A group that went away takes its files with it.
    if (w.groups.get(c.group_id)?.files.has(id)) live.add(c.md5);
    else store.groupContent.delete(id);
  }
  for (const f of store.privateFiles.values()) if (f.md5) live.add(f.md5);
  return live;
}

// --- listing --------------------------------------------------------------------------------

export function fsInfo(w: WorldState, actor: number, groupId: number): SimFileSystemInfo {
  const g = filesOf(w, actor, groupId);
  return {
    file_count: g.files.size,
    limit_count: GROUP_FILE_LIMIT,
    used_space: usedSpace(g),
    total_space: totalSpace(w, g),
  };
}

export function listFiles(
  w: WorldState,
  actor: number,
  groupId: number,
  folderId: string,
): SimFileListing {
  const g = filesOf(w, actor, groupId);
  const folder = requireFolder(g, folderId, 'FILE_SYSTEM_API_ERROR');
  const files = [...g.files.values()]
    .filter(f => f.folder === folder)
    .map(({ folder: _f, ...file }) => file);
  const folders =
    folder === ROOT
      ? [...g.folders.values()].map(f => ({
          ...f,
          total_file_count: [...g.files.values()].filter(x => x.folder === f.folder_id).length,
        }))
      : [];
  // go-cqhttp: empty lists are null.
  return { files: files.length ? files : null, folders: folders.length ? folders : null };
}

export function fileUrl(
  w: WorldState,
  actor: number,
  groupId: number,
  fileId: string,
  busid: number,
): { url: string } {
  const f = findFile(filesOf(w, actor, groupId), fileId, busid, 'FILE_SYSTEM_API_ERROR');
  f.download_times++;
  return { url: groupFileUrl(w, groupId, f) };
}

// --- folders --------------------------------------------------------------------------------

function requireFreeFolderName(g: GroupState, name: string, except?: string): string {
  const n = name.trim();
  if (n === '' || [...g.folders.values()].some(f => f.folder_name === n && f.folder_id !== except))
    throw new SimError(
      'FILE_SYSTEM_API_ERROR',
      `invalid or duplicate folder name ${JSON.stringify(name)}`,
    );
  return checkName(n, 'FILE_SYSTEM_API_ERROR');
}

export function createFolder(
  w: WorldState,
  actor: number,
  groupId: number,
  parentId: string,
  name: string,
): { folder_id: string } {
  const g = w.memberGroup(actor, groupId);
  w.requireManager(g, actor, 'FILE_SYSTEM_API_ERROR');
  if (parentId !== '' && parentId !== ROOT)
    throw new SimError('FILE_SYSTEM_API_ERROR', 'folders can only be created at the root');
  const folderName = requireFreeFolderName(g, name);
  const id = `/${newId()}`;
  g.folders.set(id, {
    group_id: groupId,
    folder_id: id,
    folder_name: folderName,
    create_time: now(),
    creator: actor,
    creator_name: w.displayName(g, actor),
    total_file_count: 0,
  });
  return { folder_id: id };
}

export function renameFolder(
  w: WorldState,
  actor: number,
  groupId: number,
  folderId: string,
  name: string,
): void {
  const g = w.memberGroup(actor, groupId);
  w.requireManager(g, actor, 'FILE_SYSTEM_API_ERROR');
  const folder = g.folders.get(folderId);
  if (!folder) throw new SimError('FILE_SYSTEM_API_ERROR', `no folder ${folderId}`);
  folder.folder_name = requireFreeFolderName(g, name, folderId);
}

export function deleteFolder(
  w: WorldState,
  actor: number,
  groupId: number,
  folderId: string,
): void {
  const g = w.memberGroup(actor, groupId);
  if (!w.isManager(g, actor))
    throw new SimError('FILE_SYSTEM_DELETE_API_ERROR', 'only admins delete folders');
  if (!g.folders.delete(folderId))
    throw new SimError('FILE_SYSTEM_DELETE_API_ERROR', `no folder ${folderId}`);
  for (const [id, f] of g.files) if (f.folder === folderId) removeFile(w, g, id);
}

// --- files ----------------------------------------------------------------------------------

export function deleteFile(
  w: WorldState,
  actor: number,
  groupId: number,
  fileId: string,
  busid: number,
): void {
  const g = filesOf(w, actor, groupId);
  const f = findFile(g, fileId, busid, 'FILE_SYSTEM_DELETE_API_ERROR');
  requireOwnerOrManager(w, g, f, actor, 'FILE_SYSTEM_DELETE_API_ERROR');
  removeFile(w, g, fileId);
}

/** A file of the group the uploader or a manager changes; `parentId`, when given, must hold it. */
function changeable(
  w: WorldState,
  actor: number,
  groupId: number,
  fileId: string,
  parentId = '',
): StoredFile {
  const g = filesOf(w, actor, groupId);
  const f = findFile(g, fileId, 0, 'FILE_SYSTEM_API_ERROR');
  requireOwnerOrManager(w, g, f, actor, 'FILE_SYSTEM_API_ERROR');
  if (parentId !== '' && folderOf(parentId) !== f.folder)
    throw new SimError('FILE_SYSTEM_API_ERROR', `file ${fileId} is not in ${parentId}`);
  return f;
}

export function moveFile(
  w: WorldState,
  actor: number,
  groupId: number,
  fileId: string,
  parentId: string,
  targetId: string,
): void {
  const f = changeable(w, actor, groupId, fileId, parentId);
  f.folder = requireFolder(w.group(groupId), targetId, 'FILE_SYSTEM_API_ERROR');
  f.modify_time = now();
}

export function renameFile(
  w: WorldState,
  actor: number,
  groupId: number,
  fileId: string,
  parentId: string,
  name: string,
): void {
  const f = changeable(w, actor, groupId, fileId, parentId);
  f.file_name = checkName(name, 'FILE_SYSTEM_API_ERROR');
  f.modify_time = now();
}

export function setFileForever(
  w: WorldState,
  actor: number,
  groupId: number,
  fileId: string,
): void {
  const f = changeable(w, actor, groupId, fileId);
  if (f.dead_time === 0) return;
  const g = w.group(groupId);
  if (usedSpace(g) + f.file_size > totalSpace(w, g))
    throw new SimError('FILE_SYSTEM_API_ERROR', 'the group has no permanent space left');
  f.dead_time = 0;
  f.modify_time = now();
}

export function uploadGroupFile(
  w: WorldState,
  actor: number,
  groupId: number,
  name: string,
  size: number,
  folder: string,
  md5?: string,
): { file_id: string } {
  const tag = 'FILE_SYSTEM_UPLOAD_API_ERROR';
  const g = filesOf(w, actor, groupId);
  const target = requireFolder(g, folder, tag);
  const fileName = checkName(name, tag);
  checkSize(size, tag);
  if (g.files.size >= GROUP_FILE_LIMIT)
    throw new SimError(tag, 'the group has reached its file limit');
  if (md5 !== undefined) w.fileStore.require(md5, size);
  const t = now();
  const temporary = usedSpace(g) + size > totalSpace(w, g);
  const fileId = `/${newId(16)}`;
  const file: StoredFile = {
    group_id: groupId,
    file_id: fileId,
    file_name: fileName,
    busid: BUSID,
    file_size: size,
    upload_time: t,
    dead_time: temporary ? t + TEMPORARY_FILE_S : 0,
    modify_time: t,
    download_times: 0,
    uploader: actor,
    uploader_name: w.displayName(g, actor),
    folder: target,
  };
  g.files.set(fileId, file);
  if (md5 !== undefined) w.fileStore.groupContent.set(fileId, { group_id: groupId, md5 });
  w.emitToGroup(g, {
    kind: 'group_upload',
    time: t,
    group_id: groupId,
    user_id: actor,
    file: { id: fileId, name: fileName, size, busid: BUSID, url: groupFileUrl(w, groupId, file) },
  });
  return { file_id: fileId };
}

// --- private files --------------------------------------------------------------------------

export function uploadPrivateFile(
  w: WorldState,
  actor: number,
  userId: number,
  name: string,
  size: number,
  md5?: string,
): { file_id: string } {
  const tag = 'FILE_SYSTEM_UPLOAD_API_ERROR';
  const me = w.user(actor);
  if (!me.friends.has(userId)) throw new SimError(tag, `${userId} is not a friend`);
  const fileName = checkName(name, tag);
  checkSize(size, tag);
  if (md5 !== undefined) w.fileStore.require(md5, size);
  const file: PrivateFile = {
    file_id: newId(16),
    file_name: fileName,
    file_size: size,
    ...(md5 !== undefined ? { md5 } : {}),
    from: actor,
    to: userId,
    time: now(),
  };
  // The message first: when it is refused (risk control), nothing was sent.
  sendPrivateMessage(w, actor, userId, [
    {
      type: 'file',
      data: { file: fileName, file_id: file.file_id, file_size: String(size) },
    },
  ]);
  w.fileStore.addPrivate(file);
  w.emit(userId, {
    kind: 'offline_file',
    time: file.time,
    user_id: actor,
    file: { name: fileName, size, url: privateFileUrl(w, file) },
  });
  return { file_id: file.file_id };
}

function privateFile(w: WorldState, actor: number, fileId: string): PrivateFile {
  const f = w.fileStore.privateFiles.get(fileId);
  if (!f || (f.from !== actor && f.to !== actor))
    throw new SimError('FILE_NOT_FOUND', `no file ${fileId}`);
  return f;
}

export function privateFileUrlOf(w: WorldState, actor: number, fileId: string): { url: string } {
  return { url: privateFileUrl(w, privateFile(w, actor, fileId)) };
}

// --- any file by id, and its bytes ----------------------------------------------------------

const md5Hex = (bytes: Buffer) => createHash('md5').update(bytes).digest('hex');

/** `get_file_info`: a group file of a group the actor is in, or a private file of theirs. */
export function fileInfo(
  w: WorldState,
  actor: number,
  fileId: string,
): {
  file_id: string;
  file_name: string;
  file_size: number;
  md5: string;
  url: string;
  group_id?: number;
  busid: number;
  dead_time: number;
} {
  for (const g of w.groups.values()) {
    if (!g.members.has(actor) || !g.files.has(fileId)) continue;
    sweep(w, g);
    const f = g.files.get(fileId);
    if (!f) break;
    f.download_times++;
    const content = w.fileStore.groupContent.get(fileId)?.md5;
    return {
      file_id: fileId,
      file_name: f.file_name,
      file_size: f.file_size,
      md5: content ?? md5Hex(placeholder(f.file_name)),
      url: groupFileUrl(w, g.info.group_id, f),
      group_id: g.info.group_id,
      busid: f.busid,
      dead_time: f.dead_time,
    };
  }
  const f = privateFile(w, actor, fileId);
  return {
    file_id: fileId,
    file_name: f.file_name,
    file_size: f.file_size,
    md5: f.md5 ?? md5Hex(placeholder(f.file_name)),
    url: privateFileUrl(w, f),
    busid: 0,
    dead_time: 0,
  };
}

/**
 * The bytes behind a file URL (`group/<group>/<id>/<name>`, `private/<id>/<name>`): the
 * uploaded content, or a placeholder for a file uploaded without it; undefined for a file that
 * is not (or no longer) there.
 */
export function fileBytes(w: WorldState, path: string): Buffer | undefined {
  const [scope, a = '', b = ''] = path.split('/');
  let md5: string | undefined;
  let name: string;
  if (scope === 'group' && /^\d{1,16}$/.test(a)) {
    const g = w.groups.get(Number(a));
    if (!g) return undefined;
    sweep(w, g);
    const f = g.files.get(`/${b}`);
    if (!f) return undefined;
    md5 = w.fileStore.groupContent.get(f.file_id)?.md5;
    name = f.file_name;
  } else if (scope === 'private') {
    const f = w.fileStore.privateFiles.get(a);
    if (!f) return undefined;
    md5 = f.md5;
    name = f.file_name;
  } else return undefined;
  return md5 === undefined ? placeholder(name) : w.fileStore.bytes(md5);
}

/** `file_upload_ticket`: where file content goes before an upload names it. */
export function fileUploadTicket(w: WorldState): { url: string; max_bytes: number } {
  return { url: `${w.publicUrl}/media/file`, max_bytes: MAX_FILE_UPLOAD_BYTES };
}

/** The network sets a group's permanent file space (control API). */
export function setFileSpace(w: WorldState, groupId: number, bytes: number): SimFileSystemInfo {
  const g = w.group(groupId);
  if (!Number.isSafeInteger(bytes) || bytes < 0)
    throw new SimError('BAD_REQUEST', 'total_space must be a byte count');
  w.fileStore.space.set(groupId, bytes);
  return {
    file_count: g.files.size,
    limit_count: GROUP_FILE_LIMIT,
    used_space: usedSpace(g),
    total_space: bytes,
  };
}
