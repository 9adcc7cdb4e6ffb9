/** The QQ side's operations on group and private files. */
import { z } from 'zod';
import { FileListing, FileSystemInfo } from '../models.js';
import { type OpSpec, ok, op } from '../op.js';
import { int, optInt, text } from '../wire.js';

export const fileOps = {
  get_fs_info: op(z.object({ group_id: int }), FileSystemInfo),
  list_files: op(z.object({ group_id: int, folder_id: text }), FileListing),
  get_file_url: op(
    z.object({ group_id: int, file_id: text, busid: optInt }),
    z.object({ url: z.string() }),
  ),
  create_folder: op(z.object({ group_id: int, parent_id: text, name: text }), ok),
  delete_folder: op(z.object({ group_id: int, folder_id: text }), ok),
  delete_file: op(z.object({ group_id: int, file_id: text, busid: optInt }), ok),
  upload_group_file: op(
    z.object({
      group_id: int,
      name: text,
      size: int,
      folder: text,
      sha256: z.string().optional(),
    }),
    z.object({ file_id: z.string() }),
  ),
  upload_private_file: op(z.object({ user_id: int, name: text, size: int }), ok),
} satisfies Record<string, OpSpec>;
