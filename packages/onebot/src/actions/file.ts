/** Group and private files, downloads and media look-ups (reference §1.5, seed). */
import { z } from 'zod';
import { action } from '../action.js';
import { int, json, params, str } from '../params.js';
import * as s from './shapes.js';

const ocrResult = z.looseObject({
  texts: z.array(
    z.looseObject({
      text: z.string(),
      confidence: z.number(),
      coordinates: z.array(z.looseObject({ x: z.number(), y: z.number() })),
    }),
  ),
  language: z.string(),
});
const ocrParams = params({ image: str() });

export const fileActions = {
  upload_group_file: action({
    owner: 'session',
    origin: 'go-cqhttp',
    status: 'ready',
    summary: 'Upload a local file (under the configured roots) to a group folder.',
    params: params({ group_id: int(), file: str(), name: str(), folder: str() }),
    result: s.nothing,
  }),
  upload_private_file: action({
    owner: 'session',
    origin: 'go-cqhttp',
    status: 'ready',
    summary: 'Send a local file (under the configured roots) to a friend.',
    params: params({ user_id: int(), file: str(), name: str() }),
    result: s.nothing,
  }),
  get_group_file_system_info: action({
    owner: 'session',
    origin: 'go-cqhttp',
    status: 'ready',
    summary: 'File count and space of a group.',
    params: params({ group_id: int() }),
    result: z.looseObject({
      file_count: z.number(),
      limit_count: z.number(),
      used_space: z.number(),
      total_space: z.number(),
    }),
  }),
  get_group_root_files: action({
    owner: 'session',
    origin: 'go-cqhttp',
    status: 'ready',
    summary: "Files and folders at a group's root.",
    params: params({ group_id: int() }),
    result: s.fileListing,
  }),
  get_group_files_by_folder: action({
    owner: 'session',
    origin: 'go-cqhttp',
    status: 'ready',
    summary: 'Files and folders in a group folder.',
    params: params({ group_id: int(), folder_id: str() }),
    result: s.fileListing,
  }),
  get_group_file_url: action({
    owner: 'session',
    origin: 'go-cqhttp',
    status: 'ready',
    summary: 'Download URL of a group file.',
    params: params({ group_id: int(), file_id: str(), busid: int() }, { busid: ['bus_id'] }),
    result: z.looseObject({ url: z.string() }),
  }),
  create_group_file_folder: action({
    owner: 'session',
    origin: 'go-cqhttp',
    status: 'ready',
    summary: 'Create a folder in a group (root only on QQ).',
    params: params({ group_id: int(), parent_id: str('/'), name: str() }),
    result: s.nothing,
  }),
  delete_group_folder: action({
    owner: 'session',
    origin: 'go-cqhttp',
    status: 'ready',
    summary: 'Delete a group folder; failures use retcode 200.',
    params: params({ group_id: int(), folder_id: str() }),
    result: s.nothing,
  }),
  delete_group_file: action({
    owner: 'session',
    origin: 'go-cqhttp',
    status: 'ready',
    summary: 'Delete a group file; failures use retcode 200.',
    params: params({ group_id: int(), file_id: str(), busid: int() }, { busid: ['bus_id'] }),
    result: s.nothing,
  }),
  download_file: action({
    owner: 'media',
    origin: 'go-cqhttp',
    status: 'ready',
    summary: 'Download a URL into the shared cache and return its absolute path.',
    params: params({ url: str(), thread_count: int(1), headers: json() }),
    result: s.localFile,
  }),
  get_image: action({
    owner: 'session',
    origin: 'onebot11',
    status: 'ready',
    summary: 'A received image by its cache name (`<md5>.image`), fetched into the media cache.',
    params: params({ file: str() }),
    result: z.looseObject({
      size: z.number(),
      filename: z.string(),
      url: z.string(),
      file: z.string(),
    }),
  }),
  get_record: action({
    owner: 'session',
    origin: 'onebot11',
    status: 'ready',
    summary: 'A received voice message converted to `out_format`.',
    params: params({ file: str(), out_format: str('mp3') }),
    result: s.localFile,
  }),
  ocr_image: action({
    owner: 'session',
    origin: 'go-cqhttp',
    status: 'ready',
    summary: 'Text in an image (Chinese and English), with confidence and corners.',
    params: ocrParams,
    result: ocrResult,
  }),
  '.ocr_image': action({
    owner: 'session',
    origin: 'go-cqhttp',
    status: 'ready',
    summary: 'Hidden alias of ocr_image.',
    params: ocrParams,
    result: ocrResult,
  }),
  '.get_word_slices': action({
    owner: 'media',
    origin: 'go-cqhttp',
    status: 'ready',
    summary: 'Chinese word segmentation of `content`.',
    params: params({ content: str() }),
    result: z.looseObject({ slices: z.array(z.string()) }),
  }),
  clean_cache: action({
    owner: 'media',
    origin: 'onebot11',
    status: 'ready',
    summary: 'Empty the media cache.',
    params: params({}),
    result: s.nothing,
  }),
} as const;
