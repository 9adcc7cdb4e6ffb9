/**
 * The demo chat's images (`GET /console/api/sim/media?url=<url>`, admin token): the page cannot
 * load the simulator's media URLs itself (its CSP allows `img-src 'self' data:`, and an <img>
 * sends no Authorization header), so it fetches them here and shows them as `data:` URLs.
 *
 * A chat message carries an image as `{type: 'image', data: {file: '<md5>.image', url:
 * '<simulator>/media/image/<name>'}}` (services/simulator/src/world/elements.ts). Contract:
 * - the URL must be http(s), on the origin of GATEWAY_SIMULATOR_URL, with the path
 *   `/media/image/<name>` and nothing else (no credentials, query or fragment): 400 `BAD_URL`
 *   otherwise, and nothing is fetched;
 * - the simulator is given {@link SIM_MEDIA_TIMEOUT_MS} and at most {@link MAX_MEDIA_BYTES} are
 *   read (a larger image: 413 `TOO_LARGE`); no redirects; its 404 is passed on, anything else
 *   that fails is 502 `SIMULATOR_UNAVAILABLE`;
 * - only PNG, JPEG, GIF and WebP go out (415 `NOT_AN_IMAGE` otherwise). The simulator serves
 *   the images people sent as `application/octet-stream`, so the type is taken from the bytes
 *   (their signature) and must be one of those four; the declared type must be that image type
 *   or `application/octet-stream`;
 * - the answer is the bytes with their type, `cache-control: private, max-age=300` and
 *   `x-content-type-options: nosniff`.
 */
import { BodyTooLarge, readBounded } from '@cqfleet/runtime';
import { ApiError } from '../admin/json-api.js';

export const SIM_MEDIA_TIMEOUT_MS = 5_000;
/** The largest image the endpoint passes on. */
export const MAX_MEDIA_BYTES = 5 * 1024 * 1024;
export const MEDIA_HEADERS = {
  'cache-control': 'private, max-age=300',
  'x-content-type-options': 'nosniff',
} as const;

export type ImageType = 'image/png' | 'image/jpeg' | 'image/gif' | 'image/webp';

const MEDIA_PATH = /^\/media\/image\/[A-Za-z0-9._-]{1,200}$/;

/** The simulator URL to fetch for `raw`, or a 400 when it is not one of its images. */
export function simMediaUrl(baseUrl: string, raw: string | null): string {
  const bad = (why: string) => new ApiError(400, 'BAD_URL', why);
  if (!raw) throw bad('url is required');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw bad('url is not a URL');
  }
  if (url.origin !== new URL(baseUrl).origin) throw bad("url is not on the simulator's origin");
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw bad('url is not http(s)');
  if (url.username || url.password || url.search || url.hash || !MEDIA_PATH.test(url.pathname))
    throw bad('url is not a simulator image (/media/image/<name>)');
  return `${url.origin}${url.pathname}`;
}

/** The image type of `bytes` by their signature, if one of the four the endpoint passes. */
export function sniffImage(bytes: Uint8Array): ImageType | undefined {
  const at = (i: number, ...b: number[]) => b.every((x, j) => bytes[i + j] === x);
  if (at(0, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  if (at(0, 0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (at(0, 0x47, 0x49, 0x46, 0x38) && (at(4, 0x37, 0x61) || at(4, 0x39, 0x61))) return 'image/gif';
  if (at(0, 0x52, 0x49, 0x46, 0x46) && at(8, 0x57, 0x45, 0x42, 0x50)) return 'image/webp';
  return undefined;
}

const notAnImage = (why: string) => new ApiError(415, 'NOT_AN_IMAGE', why);
const tooLarge = () => new ApiError(413, 'TOO_LARGE', `the image is over ${MAX_MEDIA_BYTES} bytes`);
const unavailable = (why: string) =>
  new ApiError(502, 'SIMULATOR_UNAVAILABLE', `the simulator did not answer: ${why}`);

/** Fetches one simulator image under the contract above. */
export async function fetchSimImage(
  url: string,
  timeoutMs = SIM_MEDIA_TIMEOUT_MS,
): Promise<{ bytes: Buffer; type: ImageType }> {
  const signal = AbortSignal.timeout(timeoutMs);
  let res: Response;
  try {
    res = await fetch(url, { redirect: 'error', signal });
  } catch (err) {
    throw unavailable(err instanceof Error ? err.message : String(err));
  }
  if (!res.ok) {
    await res.body?.cancel().catch(() => undefined);
    if (res.status === 404) throw new ApiError(404, 'NOT_FOUND', 'the simulator has no such image');
    throw unavailable(`status ${res.status}`);
  }
  const declared = (res.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  const acceptable =
    declared === 'application/octet-stream' ||
    ['image/png', 'image/jpeg', 'image/gif', 'image/webp'].includes(declared);
  if (!acceptable) {
    await res.body?.cancel().catch(() => undefined);
    throw notAnImage(`the simulator answered ${declared || 'no content type'}`);
  }
  let bytes: Buffer;
  try {
    bytes = await readBounded(res, MAX_MEDIA_BYTES);
  } catch (err) {
    if (err instanceof BodyTooLarge) throw tooLarge();
    throw unavailable(err instanceof Error ? err.message : String(err));
  }
  const type = sniffImage(bytes);
  if (!type) throw notAnImage('the bytes are not a PNG, JPEG, GIF or WebP image');
  if (declared !== 'application/octet-stream' && declared !== type)
    throw notAnImage(`declared ${declared}, but the bytes are ${type}`);
  return { bytes, type };
}
