/**
 * Private files: sent to a friend, they arrive as a `file` message (what NT clients show) and
 * an `offline_file` notice (what go-cqhttp reported); the sender and the receiver read them.
 */
import { SimError } from '@cqfleet/sim-client';
import { checkName, checkSize } from './file-rules.js';
import type { PrivateFile } from './file-store.js';
import { sendPrivateMessage } from './messages.js';
import { newId, now, type WorldState } from './state.js';

export function privateFileUrl(w: WorldState, f: PrivateFile): string {
  return w.mediaUrl('file', `private/${f.file_id}/${encodeURIComponent(f.file_name)}`);
}

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

export function privateFile(w: WorldState, actor: number, fileId: string): PrivateFile {
  const f = w.fileStore.privateFiles.get(fileId);
  if (!f || (f.from !== actor && f.to !== actor))
    throw new SimError('FILE_NOT_FOUND', `no file ${fileId}`);
  return f;
}

export function privateFileUrlOf(w: WorldState, actor: number, fileId: string): { url: string } {
  return { url: privateFileUrl(w, privateFile(w, actor, fileId)) };
}
