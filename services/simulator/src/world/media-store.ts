/**
 * The network's media store (`WorldState.media`): bytes of media uploaded or sent inline as
 * base64, by content name, served at `/media/<kind>/<name>` (media.ts). It keeps the newest
 * within MAX_KEPT_BYTES and MAX_KEPT_MEDIA; the oldest go first.
 */
import type { WorldState } from './state.js';

/** Media (uploaded or sent inline) kept in memory at most. */
export const MAX_KEPT_BYTES = 1024 * 1024 * 1024;
/** Media kept at most by count, whatever their size; the oldest go first. */
export const MAX_KEPT_MEDIA = 10_000;

/** Bytes in each world's media store, kept as it changes (summing per message would cost). */
const keptBytes = new WeakMap<Map<string, Buffer>, number>();

/**
 * Keeps media bytes under their name, uploaded or sent inline as base64 (elements.ts): the
 * newest within MAX_KEPT_BYTES and MAX_KEPT_MEDIA. Inline media was bounded by count alone
 * (500), so 500 large base64 images stayed in memory.
 */
export function keepMedia(w: WorldState, name: string, bytes: Buffer): void {
  let kept = keptBytes.get(w.media) ?? [...w.media.values()].reduce((n, b) => n + b.length, 0);
  kept -= w.media.get(name)?.length ?? 0;
  w.media.delete(name);
  w.media.set(name, bytes);
  kept += bytes.length;
  for (const [key, b] of w.media) {
    if (kept <= MAX_KEPT_BYTES && w.media.size <= MAX_KEPT_MEDIA) break;
    w.media.delete(key);
    kept -= b.length;
  }
  keptBytes.set(w.media, kept);
}
