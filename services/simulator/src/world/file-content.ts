/**
 * Any file by id, and the bytes behind file URLs. An upload that names its content by md5
 * (after sending it on the upload channel, file-store.ts) is served byte for byte at the
 * file's URL; one without (a simulated person's upload through the control API) serves a line
 * of placeholder text.
 */
import { createHash } from 'node:crypto';
import { groupFileUrl, placeholder, sweep } from './file-rules.js';
import { MAX_FILE_UPLOAD_BYTES } from './file-store.js';
import { privateFile, privateFileUrl } from './private-files.js';
import type { WorldState } from './state.js';

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
