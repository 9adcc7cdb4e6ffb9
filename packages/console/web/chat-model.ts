/**
 * Pure parts of the demo chat's composer: the segments the gateway's proxy accepts (text,
 * face, at most one base64 image: services/gateway/src/console/sim-schemas.ts), the faces it
 * offers, and the draft's text turned into segments.
 */

/** The segments the proxy accepts (text, face, at most one base64 image). */
export type OutSegment =
  | { type: 'text'; data: { text: string } }
  | { type: 'face'; data: { id: string } }
  | { type: 'image'; data: { file: string } };

/** The largest image the proxy takes, decoded (sim-schemas.ts MAX_IMAGE_BYTES). */
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;

/** Common QQ faces offered by the composer: id and name. */
export const FACES: ReadonlyArray<readonly [string, string]> = [
  ['14', '微笑'],
  ['13', '呲牙'],
  ['4', '得意'],
  ['21', '可爱'],
  ['76', '赞'],
  ['66', '爱心'],
  ['5', '流泪'],
  ['179', 'doge'],
];

const FACE_TOKEN = /\[face:(\d{1,4})\]/g;

/**
 * The composer's text as segments: `[face:<id>]` (what the face buttons insert) becomes a face,
 * the rest text; an attached image (base64, no prefix) goes last.
 */
export function toSegments(text: string, imageBase64?: string): OutSegment[] {
  const out: OutSegment[] = [];
  let last = 0;
  for (const m of text.matchAll(FACE_TOKEN)) {
    const at = m.index ?? 0;
    if (at > last) out.push({ type: 'text', data: { text: text.slice(last, at) } });
    out.push({ type: 'face', data: { id: m[1] ?? '0' } });
    last = at + m[0].length;
  }
  if (last < text.length) out.push({ type: 'text', data: { text: text.slice(last) } });
  if (imageBase64) out.push({ type: 'image', data: { file: `base64://${imageBase64}` } });
  return out;
}

/** The name of a face id, when it is one the composer offers. */
export function faceName(id: string): string | undefined {
  return FACES.find(([f]) => f === id)?.[1];
}
