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
/** NapCat's answer to file changes. */
const okResult = z.looseObject({ ok: z.boolean() });
const fileIdResult = z.looseObject({ file_id: z.string() });
const fileRef = params({ group_id: int(), file_id: str() });

/**
 * download_file's `headers` go into the media job (Redis) and onto every request of the
 * download: a go-cqhttp client sends a handful of short ones (a Cookie, a Referer, a
 * User-Agent), so more than 32 (`K=V` lines, array items or object keys) or 8 KiB in all (UTF-8,
 * as sent, JSON for anything but a string) is INVALID_PARAMS, before any job is added; so is a
 * header that is not a string (a number in the array, an object's non-string value).
 */
const DOWNLOAD_HEADERS_MAX_COUNT = 32;
const DOWNLOAD_HEADERS_MAX_BYTES = 8 * 1024;
const downloadHeaders = json().superRefine((v, ctx) => {
  if (v === undefined || v === null) return;
  const count =
    typeof v === 'string'
      ? v.split(/\r?\n/).filter(line => line.trim() !== '').length
      : Array.isArray(v)
        ? v.length
        : typeof v === 'object'
          ? Object.keys(v).length
          : 1;
  if (count > DOWNLOAD_HEADERS_MAX_COUNT)
    return ctx.addIssue({
      code: 'custom',
      message: `请求头不能超过 ${DOWNLOAD_HEADERS_MAX_COUNT} 个`,
    });
  let text: string | undefined;
  try {
    text = typeof v === 'string' ? v : JSON.stringify(v);
  } catch {
    // Nested too deep to serialise: certainly not a handful of headers.
  }
  // UTF-8 takes at least a byte per UTF-16 unit: a longer string need not be encoded to know.
  if (
    text === undefined ||
    text.length > DOWNLOAD_HEADERS_MAX_BYTES ||
    new TextEncoder().encode(text).length > DOWNLOAD_HEADERS_MAX_BYTES
  )
    return ctx.addIssue({
      code: 'custom',
      message: `请求头总长不能超过 ${DOWNLOAD_HEADERS_MAX_BYTES} 字节`,
    });
  // Every header is a string: a `K=V` string, an array of them, or an object of names to
  // string values (sent as given). Anything else would be sent as nothing, or break the worker.
  const strings =
    typeof v === 'string' ||
    (Array.isArray(v)
      ? v.every(item => typeof item === 'string')
      : typeof v === 'object' && Object.values(v).every(value => typeof value === 'string'));
  if (!strings)
    return ctx.addIssue({
      code: 'custom',
      message: '请求头应为 K=V 字符串、K=V 字符串数组或值为字符串的对象',
    });
});

/**
 * The longest URL an action takes where it is a plain URL (download_file's `url`), in UTF-16
 * units: real URLs are a few KiB at most (browsers and CDNs stop well below 64 Ki), and the
 * URL goes whole into a media job kept in Redis. The media client bounds a job's data to four
 * times this (a URL of this length in UTF-8, the headers and the rest).
 */
export const URL_MAX_CHARS = 64 * 1024;

/** The longest text `.get_word_slices` segments (characters). */
export const WORD_SLICES_MAX_CHARS = 10_000;

export const fileActions = {
  /**
   * `file`: a local path or `file://` under the media workers' roots, `base64://`, or an
   * `http(s)://` URL (through their address guard). go-cqhttp answers `null`; NapCat's
   * `{file_id}` is answered here, which go-cqhttp clients ignore.
   */
  upload_group_file: action({
    owner: 'session',
    origin: 'go-cqhttp',
    status: 'ready',
    summary:
      'Upload a file (local under the file roots, `base64://`, `http(s)://`) to a group folder; answers `{file_id}`.',
    params: params(
      { group_id: int(), file: str(), name: str(), folder: str() },
      { folder: ['folder_id'] },
    ),
    result: fileIdResult,
  }),
  upload_private_file: action({
    owner: 'session',
    origin: 'go-cqhttp',
    status: 'ready',
    summary:
      'Send a file (local under the file roots, `base64://`, `http(s)://`) to a friend; answers `{file_id}`.',
    params: params({ user_id: int(), file: str(), name: str() }),
    result: fileIdResult,
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
  /** go-cqhttp answers `null`; `{folder_id}` (NapCat's newer answer) is compatible with it. */
  create_group_file_folder: action({
    owner: 'session',
    origin: 'go-cqhttp',
    status: 'ready',
    summary: 'Create a folder in a group (root only on QQ); answers `{folder_id}`.',
    params: params(
      { group_id: int(), parent_id: str('/'), name: str() },
      { name: ['folder_name'] },
    ),
    result: z.looseObject({ folder_id: z.string() }),
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
  move_group_file: action({
    owner: 'session',
    origin: 'nt',
    status: 'ready',
    summary: 'Move a group file to another folder (`/` is the root); the uploader and admins.',
    params: params({
      group_id: int(),
      file_id: str(),
      current_parent_directory: str(),
      target_parent_directory: str('/'),
    }),
    result: okResult,
  }),
  rename_group_file: action({
    owner: 'session',
    origin: 'nt',
    status: 'ready',
    summary: 'Rename a group file; the uploader and admins.',
    params: params({
      group_id: int(),
      file_id: str(),
      current_parent_directory: str(),
      new_name: str(),
    }),
    result: okResult,
  }),
  rename_group_file_folder: action({
    owner: 'session',
    origin: 'nt',
    status: 'ready',
    summary: 'Rename a group folder (admins).',
    params: params(
      { group_id: int(), folder_id: str(), new_folder_name: str() },
      { new_folder_name: ['new_name', 'name'] },
    ),
    result: s.nothing,
  }),
  /** LLOneBot's name for NapCat's trans_group_file. */
  set_group_file_forever: action({
    owner: 'session',
    origin: 'nt',
    status: 'ready',
    summary: 'Make a temporary group file permanent (when the group has the space).',
    params: fileRef,
    result: s.nothing,
  }),
  trans_group_file: action({
    owner: 'session',
    origin: 'nt',
    status: 'ready',
    summary: 'Make a temporary group file permanent (NapCat; as set_group_file_forever).',
    params: fileRef,
    result: okResult,
  }),
  get_private_file_url: action({
    owner: 'session',
    origin: 'nt',
    status: 'ready',
    summary: 'Download URL of a private file (sent or received) by its `file_id`.',
    params: params({ file_id: str() }),
    result: z.looseObject({ url: z.string() }),
  }),
  /**
   * NapCat's shape: `file` is a local path (here: in the shared media cache), `file_size` a
   * decimal string. `base64` is not given: `url` serves the same bytes.
   */
  get_file: action({
    owner: 'session',
    origin: 'nt',
    status: 'ready',
    summary:
      'A group or private file (or received media) by `file_id` or `file`, fetched into the media cache.',
    params: params({ file_id: str(), file: str() }),
    result: z.looseObject({
      file: z.string(),
      url: z.string(),
      file_size: z.string(),
      file_name: z.string(),
      base64: z.string().optional(),
    }),
  }),
  /** Lagrange: the image's download URL as `data`, a bare string. */
  upload_image: action({
    owner: 'session',
    origin: 'nt',
    status: 'ready',
    summary: 'Upload an image (any source an image segment takes) and answer its download URL.',
    params: params({ file: str() }),
    result: z.string(),
  }),
  download_file: action({
    owner: 'media',
    origin: 'go-cqhttp',
    status: 'ready',
    summary: 'Download a URL into the shared cache and return its absolute path.',
    params: params({
      url: str('', URL_MAX_CHARS),
      thread_count: int(1),
      headers: downloadHeaders,
    }),
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
    // Segmented by a media worker every tenant shares: a chat message's length, not a book's.
    params: params({ content: str('', WORD_SLICES_MAX_CHARS) }),
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
