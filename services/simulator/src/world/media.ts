/**
 * Media the network serves at `/media/<kind>/<name>`: the bytes of media that were sent as
 * base64, and for anything else a placeholder of the right kind (a 1×1 PNG, half a second of
 * silent WAV), so that downloads, `get_image` and `get_record` work end to end. Files
 * (`/media/file/...`) are the group and private files' own bytes (file-content.ts), nothing else.
 *
 * The upload channel (`HEAD` / `PUT /media/<kind>/<md5>.<ext>`) takes media (`.image`, `.amr`,
 * `.video`) and file content (`.file`, kept by file-store.ts until files name it).
 */
import { createHash } from 'node:crypto';
import { SimError } from '@cqfleet/sim-client';
import { fileBytes, liveContent } from './file-content.js';
import { keepMedia } from './media-store.js';
import type { WorldState } from './state.js';

const PNG_1X1 = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==',
  'base64',
);

/** Half a second of 8 kHz 16-bit mono silence. */
function silentWav(): Buffer {
  const samples = 4000;
  const data = samples * 2;
  const b = Buffer.alloc(44 + data);
  b.write('RIFF', 0);
  b.writeUInt32LE(36 + data, 4);
  b.write('WAVEfmt ', 8);
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(1, 22);
  b.writeUInt32LE(8000, 24);
  b.writeUInt32LE(16000, 28);
  b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34);
  b.write('data', 36);
  b.writeUInt32LE(data, 40);
  return b;
}

const SILENCE = silentWav();
const KINDS = new Set(['image', 'record', 'video', 'file']);

export function mediaBytes(
  w: WorldState,
  kind: string,
  name: string,
): { bytes: Buffer; type: string } {
  if (!KINDS.has(kind)) throw new SimError('NOT_FOUND', `no media kind ${kind}`);
  if (kind === 'file') {
    const bytes = fileBytes(w, name);
    if (!bytes) throw new SimError('NOT_FOUND', `no file ${name}`);
    return { bytes, type: 'application/octet-stream' };
  }
  const kept = w.media.get(name.split('/')[0] ?? name);
  if (kept) return { bytes: kept, type: 'application/octet-stream' };
  if (kind === 'image') return { bytes: PNG_1X1, type: 'image/png' };
  if (kind === 'record') return { bytes: SILENCE, type: 'audio/wav' };
  throw new SimError('NOT_FOUND', `no media ${name}`);
}

const NAME = /^([0-9a-f]{32})\.(image|amr|video)$/;
/** Largest upload the network takes. */
export const MAX_UPLOAD_BYTES = 256 * 1024 * 1024;

export function uploadTicket(w: WorldState, kind: string): { url: string } {
  if (!['image', 'record', 'video'].includes(kind))
    throw new SimError('BAD_REQUEST', `no media kind ${kind}`);
  return { url: `${w.publicUrl}/media/${kind}` };
}

const FILE_NAME = /^([0-9a-f]{32})\.file$/;

/** True when the network has the content of an uploaded or base64-sent media name. */
export function hasMedia(w: WorldState, name: string): boolean {
  const file = FILE_NAME.exec(name);
  if (file) return w.fileStore.has(file[1]!);
  return w.media.has(name);
}

/** Stores uploaded media under its name, which must be the md5 of the bytes. */
export function storeUpload(w: WorldState, name: string, bytes: Buffer): void {
  const file = FILE_NAME.exec(name);
  if (file) {
    w.fileStore.put(file[1]!, bytes, () => liveContent(w));
    return;
  }
  const m = NAME.exec(name);
  if (!m) throw new SimError('BAD_REQUEST', 'an upload is named <md5>.<image|amr|video>');
  if (createHash('md5').update(bytes).digest('hex') !== m[1])
    throw new SimError('BAD_REQUEST', 'the content does not match its md5');
  keepMedia(w, name, bytes);
}

/** `get_media`: where a received media name can be fetched, and its size. */
export function mediaInfo(
  w: WorldState,
  kind: string,
  name: string,
): { url: string; size: number; filename: string } {
  const { bytes } = mediaBytes(w, kind, name);
  return { url: w.mediaUrl(kind, name), size: bytes.length, filename: name };
}
