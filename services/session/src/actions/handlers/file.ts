/** Group and private files (reference §1.5, seed 群文件). */
import { basename } from 'node:path';
import { fail } from '@cqfleet/onebot';
import { localFile, pathOf } from '@cqfleet/runtime';
import type { ActionContext, SessionHandlers } from '../context.js';
import { asFailure } from '../helpers.js';

/** A local file for upload: only under the configured roots (`SESSION_FILE_ROOTS`). */
async function uploadable(
  ctx: ActionContext,
  file: string,
  tag: 'FILE_NOT_FOUND' | 'OPEN_FILE_ERROR',
) {
  const path = pathOf(file) ?? (file.startsWith('/') ? file : undefined);
  const found = path ? await localFile(ctx.options.fileRoots, path) : undefined;
  if (!found) return fail(tag, `无法读取 ${file.slice(0, 200)} (只能上传配置目录中的文件)`);
  return found;
}

export const fileHandlers = {
  get_group_file_system_info: (p, { qq }) =>
    asFailure('FILE_SYSTEM_API_ERROR', async () => ({
      ...(await qq.call('get_fs_info', { group_id: p.group_id })),
      group_id: p.group_id,
    })),
  get_group_root_files: (p, { qq }) =>
    asFailure('FILE_SYSTEM_API_ERROR', () =>
      qq.call('list_files', { group_id: p.group_id, folder_id: '/' }),
    ),
  get_group_files_by_folder: (p, { qq }) =>
    asFailure('FILE_SYSTEM_API_ERROR', () =>
      qq.call('list_files', { group_id: p.group_id, folder_id: p.folder_id }),
    ),
  get_group_file_url: (p, { qq }) =>
    asFailure('FILE_SYSTEM_API_ERROR', () =>
      qq.call('get_file_url', {
        group_id: p.group_id,
        file_id: p.file_id,
        busid: p.busid,
      }),
    ),
  create_group_file_folder: (p, { qq }) =>
    asFailure(
      'FILE_SYSTEM_API_ERROR',
      async () => (
        await qq.call('create_folder', {
          group_id: p.group_id,
          parent_id: p.parent_id,
          name: p.name,
        }),
        null
      ),
    ),
  /** Failures use retcode 200 (go-cqhttp). */
  delete_group_folder: (p, { qq }) =>
    asFailure(
      'FILE_SYSTEM_DELETE_API_ERROR',
      async () => (
        await qq.call('delete_folder', {
          group_id: p.group_id,
          folder_id: p.folder_id,
        }),
        null
      ),
    ),
  delete_group_file: (p, { qq }) =>
    asFailure(
      'FILE_SYSTEM_DELETE_API_ERROR',
      async () => (
        await qq.call('delete_file', {
          group_id: p.group_id,
          file_id: p.file_id,
          busid: p.busid,
        }),
        null
      ),
    ),
  upload_group_file: async (p, ctx) => {
    const file = await uploadable(ctx, p.file, 'FILE_NOT_FOUND');
    await asFailure('FILE_SYSTEM_UPLOAD_API_ERROR', () =>
      ctx.qq.call('upload_group_file', {
        group_id: p.group_id,
        name: p.name || basename(file.path),
        size: file.size,
        folder: p.folder || '/',
      }),
    );
    return null;
  },
  upload_private_file: async (p, ctx) => {
    const file = await uploadable(ctx, p.file, 'OPEN_FILE_ERROR');
    await asFailure('FILE_SYSTEM_UPLOAD_API_ERROR', () =>
      ctx.qq.call('upload_private_file', {
        user_id: p.user_id,
        name: p.name || basename(file.path),
        size: file.size,
      }),
    );
    return null;
  },
} satisfies SessionHandlers;
