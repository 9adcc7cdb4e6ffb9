/** The simulator's implementation of the QQ side's files operations (@cqfleet/qq-side ops/files.ts). */
import type { fileOps } from '@cqfleet/qq-side';
import * as files from '../files.js';
import type { WorldState } from '../state.js';
import type { OpsOf } from './types.js';

export function fileTable(w: WorldState): OpsOf<typeof fileOps> {
  return {
    get_fs_info: (a, me) => files.fsInfo(w, me, a.group_id),
    list_files: (a, me) => files.listFiles(w, me, a.group_id, a.folder_id),
    get_file_url: (a, me) => files.fileUrl(w, me, a.group_id, a.file_id, a.busid ?? 0),
    create_folder: (a, me) => (files.createFolder(w, me, a.group_id, a.parent_id, a.name), null),
    delete_folder: (a, me) => (files.deleteFolder(w, me, a.group_id, a.folder_id), null),
    delete_file: (a, me) => (files.deleteFile(w, me, a.group_id, a.file_id, a.busid ?? 0), null),
    upload_group_file: (a, me) =>
      files.uploadGroupFile(w, me, a.group_id, a.name, a.size, a.folder),
    upload_private_file: (a, me) => (
      files.uploadPrivateFile(w, me, a.user_id, a.name, a.size),
      null
    ),
  };
}
