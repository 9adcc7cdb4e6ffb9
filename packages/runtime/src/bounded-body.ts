/**
 * A `fetch` answer's body, read no further than a limit. `res.text()` and `res.json()` take
 * whatever the other side sends for as long as the request's signal allows: at loopback speed
 * that is gigabytes within a five-second timeout. Every answer from a party cqfleet does not
 * control (a client's HTTP POST receiver, the simulator) is read through this instead.
 */

/** The answer declared or sent more than the limit; the body was cancelled. */
export class BodyTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`answer over ${limit} bytes`);
    this.name = 'BodyTooLarge';
  }
}

/**
 * The body's bytes, at most `max`. A larger `content-length`, or more bytes than `max` as they
 * arrive, cancels the body and throws BodyTooLarge; errors of the stream (the request's signal
 * aborting it) are thrown as they are.
 */
export async function readBounded(res: Response, max: number): Promise<Buffer> {
  if (Number(res.headers.get('content-length') ?? 0) > max) {
    await res.body?.cancel().catch(() => undefined);
    throw new BodyTooLarge(max);
  }
  if (!res.body) return Buffer.alloc(0);
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => undefined);
      throw new BodyTooLarge(max);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size);
}
