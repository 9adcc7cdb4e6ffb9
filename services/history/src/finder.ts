/** Finding a stored message by id, for get_msg and the session's look-ups. */
import type { Logger } from '@cqfleet/runtime';
import type { HistoryConsumer } from './consumer.js';
import type { QQSideLink } from './qq-side.js';
import type { MessageStore, StoredMessage } from '@cqfleet/history-store';

export type Finder = (selfId: number, messageId: number) => Promise<StoredMessage | undefined>;

/**
 * Waits until the consumer has stored every event the stream holds now, or the catch-up time
 * passed (then what is stored is answered): read-your-writes for a page read from the store,
 * where a miss cannot be told (a message sent just before, still gathered in a batch).
 */
export type Settle = () => Promise<void>;

/** The consumer's catch-up as a Settle; without NATS the page is answered from what is stored. */
export function settler(consumer: HistoryConsumer, catchUpMs: number, log: Logger): Settle {
  return async () => {
    await consumer.catchUp(catchUpMs).catch((err: unknown) => {
      log.warn({ err }, 'could not catch up before reading a page');
    });
  };
}

/**
 * Looks a message up; a miss may be a message still in flight in the stream, so the consumer
 * is given the chance to catch up once (read-your-writes after a send). A message the stream
 * never carried is asked of the QQ side (an upstream implementation that does not report what
 * the account sends) and stored, so the next look-up finds it.
 */
export function finder(
  store: MessageStore,
  consumer: HistoryConsumer,
  catchUpMs: number,
  qq: QQSideLink,
): Finder {
  return async (selfId, messageId) => {
    const found =
      (await store.get(selfId, messageId)) ??
      ((await consumer.catchUp(catchUpMs)) ? await store.get(selfId, messageId) : undefined);
    if (found) return found;
    const read = await qq.read(selfId, 'message', { message_id: messageId }).catch(() => null);
    if (!read || read.message_id !== messageId) return undefined;
    await store.put(read, await qq.trust(selfId));
    return read;
  };
}
