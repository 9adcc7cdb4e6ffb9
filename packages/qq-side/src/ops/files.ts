/**
 * The QQ side's operations on group and private files.
 *
 * A file's bytes travel the way media does (QQ's "highway"): the uploader asks
 * `file_upload_ticket` for the upload URL, sends the content there (`HEAD <url>/<md5>.file`
 * answers 200 when the network has it already, `PUT` sends it; the md5 must match), and then
 * names it by `md5` and `size` in `upload_group_file` / `upload_private_file`, which fail
 * unless the network holds exactly that content. Without `md5` (a simulated person's upload
 * through the control API) a file has a name and a size only.
 */
import { z } from 'zod';
import { FileListing, FileSystemInfo } from '../models.js';
import { none, type OpSpec, ok, op } from '../op.js';
import { int, optInt, text } from '../wire.js';

/** The md5 of a file's content, as uploaded: 32 lower-case hex digits; absent when missing, `null` or `""`. */
const md5 = z
  .preprocess(
    v => (v === null || v === '' ? undefined : v),
    z
      .string({ error: 'must be a string' })
      .regex(/^[0-9a-f]{32}$/, 'must be 32 lower-case hex digits')
      .optional(),
  )
  .optional();

/** What the network tells about a file it stores (group or private), by id. */
const FileInfo = z.object({
  file_id: z.string(),
  file_name: z.string(),
  file_size: z.number(),
  /** The content's md5 (of the bytes the URL serves). */
  md5: z.string(),
  url: z.string(),
  /** The group the file is in; absent for a private file. */
  group_id: z.number().optional(),
  busid: z.number(),
  /** When a temporary file goes away (Unix seconds); 0 for a permanent one. */
  dead_time: z.number(),
});

export const fileOps = {
  get_fs_info: op(z.object({ group_id: int }), FileSystemInfo),
  list_files: op(z.object({ group_id: int, folder_id: text }), FileListing),
  get_file_url: op(
    z.object({ group_id: int, file_id: text, busid: optInt }),
    z.object({ url: z.string() }),
  ),
  create_folder: op(
    z.object({ group_id: int, parent_id: text, name: text }),
    z.object({ folder_id: z.string() }),
  ),
  /** Managers rename folders; names stay unique in a group. */
  rename_folder: op(z.object({ group_id: int, folder_id: text, name: text }), ok),
  delete_folder: op(z.object({ group_id: int, folder_id: text }), ok),
  delete_file: op(z.object({ group_id: int, file_id: text, busid: optInt }), ok),
  /**
   * Moves a file to `target_id` (`/` or a folder). `parent_id`, when given, must be where the
   * file is now (NT's API names both ends). The uploader and managers move files.
   */
  move_file: op(z.object({ group_id: int, file_id: text, parent_id: text, target_id: text }), ok),
  /** Renames a file (the uploader and managers); `parent_id` as for `move_file`. */
  rename_file: op(z.object({ group_id: int, file_id: text, parent_id: text, name: text }), ok),
  /**
   * Makes a temporary file permanent (`dead_time` 0), when the group's permanent space has
   * room for it; a permanent file stays as it is.
   */
  set_file_forever: op(z.object({ group_id: int, file_id: text }), ok),
  /** Where file content is uploaded before it is named by md5 (see above), and how large. */
  file_upload_ticket: op(none, z.object({ url: z.string(), max_bytes: z.number() })),
  upload_group_file: op(
    z.object({
      group_id: int,
      name: text,
      size: int,
      folder: text,
      sha256: z.string().optional(),
      md5,
    }),
    z.object({ file_id: z.string() }),
  ),
  /** Sends a file to a friend: a `file` message and an `offline_file` notice. */
  upload_private_file: op(
    z.object({ user_id: int, name: text, size: int, md5 }),
    z.object({ file_id: z.string() }),
  ),
  /** Download URL of a private file, for its sender and its receiver. */
  get_private_file_url: op(z.object({ file_id: text }), z.object({ url: z.string() })),
  /** A file by id, group or private, for whoever may see it. */
  get_file_info: op(z.object({ file_id: text }), FileInfo),
} satisfies Record<string, OpSpec>;
