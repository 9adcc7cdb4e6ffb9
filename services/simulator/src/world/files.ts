/**
 * Group files: a root with one level of folders, a file-count limit and a space quota;
 * uploads announce `group_upload`, deletes are for the uploader and admins. Private files
 * arrive as `offline_file`.
 */
import {
  SimError,
  type SimFileListing,
  type SimFileSystemInfo,
  type SimGroupFile,
} from '@cqfleet/sim-client';
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

function usedSpace(g: GroupState): number {
  let total = 0;
  for (const f of g.files.values()) total += f.file_size;
  return total;
}

export function fsInfo(w: WorldState, actor: number, groupId: number): SimFileSystemInfo {
  const g = w.memberGroup(actor, groupId);
  return {
    file_count: g.files.size,
    limit_count: GROUP_FILE_LIMIT,
    used_space: usedSpace(g),
    total_space: GROUP_SPACE_BYTES,
  };
}

export function listFiles(
  w: WorldState,
  actor: number,
  groupId: number,
  folderId: string,
): SimFileListing {
  const g = w.memberGroup(actor, groupId);
  const folder = folderId === '' ? ROOT : folderId;
  if (folder !== ROOT && !g.folders.has(folder))
    throw new SimError('FILE_SYSTEM_API_ERROR', `no folder ${folderId}`);
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

function findFile(g: GroupState, fileId: string, busid: number): SimGroupFile & { folder: string } {
  const f = g.files.get(fileId);
  if (!f || (busid !== 0 && f.busid !== busid))
    throw new SimError('FILE_SYSTEM_API_ERROR', `no file ${fileId}`);
  return f;
}

export function fileUrl(
  w: WorldState,
  actor: number,
  groupId: number,
  fileId: string,
  busid: number,
): { url: string } {
  const f = findFile(w.memberGroup(actor, groupId), fileId, busid);
  f.download_times++;
  return { url: w.mediaUrl('file', `${groupId}/${f.file_id}/${encodeURIComponent(f.file_name)}`) };
}

export function createFolder(
  w: WorldState,
  actor: number,
  groupId: number,
  parentId: string,
  name: string,
): void {
  const g = w.memberGroup(actor, groupId);
  w.requireManager(g, actor, 'FILE_SYSTEM_API_ERROR');
  if (parentId !== '' && parentId !== ROOT)
    throw new SimError('FILE_SYSTEM_API_ERROR', 'folders can only be created at the root');
  if (name.trim() === '' || [...g.folders.values()].some(f => f.folder_name === name))
    throw new SimError(
      'FILE_SYSTEM_API_ERROR',
      `invalid or duplicate folder name ${JSON.stringify(name)}`,
    );
  const id = `/${newId()}`;
  g.folders.set(id, {
    group_id: groupId,
    folder_id: id,
    folder_name: name,
    create_time: now(),
    creator: actor,
    creator_name: w.displayName(g, actor),
    total_file_count: 0,
  });
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
  for (const [id, f] of g.files) if (f.folder === folderId) g.files.delete(id);
}

export function deleteFile(
  w: WorldState,
  actor: number,
  groupId: number,
  fileId: string,
  busid: number,
): void {
  const g = w.memberGroup(actor, groupId);
  const f = g.files.get(fileId);
  if (!f || (busid !== 0 && f.busid !== busid))
    throw new SimError('FILE_SYSTEM_DELETE_API_ERROR', `no file ${fileId}`);
  if (f.uploader !== actor && !w.isManager(g, actor))
    throw new SimError('FILE_SYSTEM_DELETE_API_ERROR', 'only the uploader and admins delete files');
  g.files.delete(fileId);
}

export function uploadGroupFile(
  w: WorldState,
  actor: number,
  groupId: number,
  name: string,
  size: number,
  folder: string,
): { file_id: string } {
  const g = w.memberGroup(actor, groupId);
  const target = folder === '' ? ROOT : folder;
  if (target !== ROOT && !g.folders.has(target))
    throw new SimError('FILE_SYSTEM_UPLOAD_API_ERROR', `no folder ${folder}`);
  if (name.trim() === '') throw new SimError('FILE_SYSTEM_UPLOAD_API_ERROR', 'a file needs a name');
  if (g.files.size >= GROUP_FILE_LIMIT)
    throw new SimError('FILE_SYSTEM_UPLOAD_API_ERROR', 'the group has reached its file limit');
  if (usedSpace(g) + size > GROUP_SPACE_BYTES)
    throw new SimError('FILE_SYSTEM_UPLOAD_API_ERROR', 'the group has no space left');
  const t = now();
  const fileId = `/${newId(16)}`;
  g.files.set(fileId, {
    group_id: groupId,
    file_id: fileId,
    file_name: name,
    busid: BUSID,
    file_size: size,
    upload_time: t,
    dead_time: 0,
    modify_time: t,
    download_times: 0,
    uploader: actor,
    uploader_name: w.displayName(g, actor),
    folder: target,
  });
  const url = w.mediaUrl('file', `${groupId}/${fileId}/${encodeURIComponent(name)}`);
  w.emitToGroup(g, {
    kind: 'group_upload',
    time: t,
    group_id: groupId,
    user_id: actor,
    file: { id: fileId, name, size, busid: BUSID, url },
  });
  return { file_id: fileId };
}

export function uploadPrivateFile(
  w: WorldState,
  actor: number,
  userId: number,
  name: string,
  size: number,
): void {
  const me = w.user(actor);
  if (!me.friends.has(userId))
    throw new SimError('FILE_SYSTEM_UPLOAD_API_ERROR', `${userId} is not a friend`);
  if (name.trim() === '') throw new SimError('FILE_SYSTEM_UPLOAD_API_ERROR', 'a file needs a name');
  const url = w.mediaUrl('file', `private/${actor}/${newId()}/${encodeURIComponent(name)}`);
  w.emit(userId, { kind: 'offline_file', time: now(), user_id: actor, file: { name, size, url } });
}
