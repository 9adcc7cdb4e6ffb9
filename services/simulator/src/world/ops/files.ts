/** The simulator's implementation of the QQ side's files operations (@cqfleet/qq-side ops/files.ts). */
import type { fileOps } from '@cqfleet/qq-side';
import { fileInfo, fileUploadTicket } from '../file-content.js';
import {
  createFolder,
  deleteFile,
  deleteFolder,
  fileUrl,
  fsInfo,
  listFiles,
  moveFile,
  renameFile,
  renameFolder,
  setFileForever,
  uploadGroupFile,
} from '../group-files.js';
import { privateFileUrlOf, uploadPrivateFile } from '../private-files.js';
import type { WorldState } from '../state.js';
import type { OpsOf } from './types.js';

export function fileTable(w: WorldState): OpsOf<typeof fileOps> {
  return {
    get_fs_info: (a, me) => fsInfo(w, me, a.group_id),
    list_files: (a, me) => listFiles(w, me, a.group_id, a.folder_id),
    get_file_url: (a, me) => fileUrl(w, me, a.group_id, a.file_id, a.busid ?? 0),
    create_folder: (a, me) => createFolder(w, me, a.group_id, a.parent_id, a.name),
    rename_folder: (a, me) => (renameFolder(w, me, a.group_id, a.folder_id, a.name), null),
    delete_folder: (a, me) => (deleteFolder(w, me, a.group_id, a.folder_id), null),
    delete_file: (a, me) => (deleteFile(w, me, a.group_id, a.file_id, a.busid ?? 0), null),
    move_file: (a, me) => (moveFile(w, me, a.group_id, a.file_id, a.parent_id, a.target_id), null),
    rename_file: (a, me) => (renameFile(w, me, a.group_id, a.file_id, a.parent_id, a.name), null),
    set_file_forever: (a, me) => (setFileForever(w, me, a.group_id, a.file_id), null),
    file_upload_ticket: () => fileUploadTicket(w),
    upload_group_file: (a, me) =>
      uploadGroupFile(w, me, a.group_id, a.name, a.size, a.folder, a.md5),
    upload_private_file: (a, me) => uploadPrivateFile(w, me, a.user_id, a.name, a.size, a.md5),
    get_private_file_url: (a, me) => privateFileUrlOf(w, me, a.file_id),
    get_file_info: (a, me) => fileInfo(w, me, a.file_id),
  };
}
