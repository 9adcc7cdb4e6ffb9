/**
 * The store's layout as data, under `<ns>:h:layout`: what a reader needs to find a message and
 * cannot derive — the number of id-index slots, a setting of the writer (`HISTORY_ID_SLOTS`).
 * History writes it when it starts; the gateway reads it, so the two never disagree through
 * configuration. A reader that finds no layout (no history has run in this namespace) or one
 * it cannot parse reads nothing and leaves every look-up to history.
 */
import type { Namespace } from '@cqfleet/contracts';
import type { Redis } from '@cqfleet/runtime';
import { z } from 'zod';

/** The same bounds as history's configuration. */
const Layout = z.object({
  idSlots: z.coerce.number().int().min(1).max(16_777_216),
});

export type StoreLayout = z.output<typeof Layout>;

function layoutKey(ns: Namespace): string {
  return `${ns.historyPrefix}layout`;
}

/** Written by the history service at start (every replica writes the same). */
export async function publishLayout(
  redis: Redis,
  ns: Namespace,
  layout: StoreLayout,
): Promise<void> {
  await redis.hset(layoutKey(ns), { idSlots: String(layout.idSlots) });
}

/** The layout history published, or undefined when there is none or it does not parse. */
export async function readLayout(redis: Redis, ns: Namespace): Promise<StoreLayout | undefined> {
  const parsed = Layout.safeParse(await redis.hgetall(layoutKey(ns)));
  return parsed.success ? parsed.data : undefined;
}
