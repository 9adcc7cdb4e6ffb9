/**
 * Group files: a root with one level of folders (at most MAX_GROUP_FOLDERS), a file-count
 * limit and a permanent space; uploads announce `group_upload`; deletes, moves and renames are
 * for the uploader and managers, folders for managers. A file that does not fit the permanent space is a temporary
 * one (file-rules.ts).
 */
import { SimError, type SimFileListing, type SimFileSystemInfo } from '@cqfleet/sim-client';
import {
  checkName,
  checkSize,
  filesOf,
  findFile,
  folderOf,
  groupFileUrl,
  removeFile,
  requireFolder,
  requireOwnerOrManager,
  ROOT,
  type StoredFile,
  TEMPORARY_FILE_S,
  totalSpace,
  usedSpace,
} from './file-rules.js';
import { GROUP_FILE_LIMIT, type GroupState, newId, now, type WorldState } from './state.js';
import { MAX_GROUP_FOLDERS } from './text-limits.js';

const BUSID = 102;

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
  if (g.folders.size >= MAX_GROUP_FOLDERS)
    throw new SimError('FILE_SYSTEM_API_ERROR', `a group has at most ${MAX_GROUP_FOLDERS} folders`);
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
