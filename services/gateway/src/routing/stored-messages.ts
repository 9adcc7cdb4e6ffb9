/**
 * `get_msg` answered from the message store, without the hop to history (issue 20: with it,
 * two loopback hops of Node processes cost more than get_msg's 0.5 ms at p50).
 *
 * The store is history's: history is its only writer and publishes the layout a reader needs
 * (@cqfleet/history-store layout.ts). What the gateway reads is what history would read — the
 * same script, the same per-account visibility — so an answer from here is never staler than
 * history's. Everything else goes to history as before:
 * - a miss: the message may still be in the stream (history waits for its consumer to catch
 *   up, read-your-writes after a send) or only known to the QQ side;
 * - no layout yet (no history has started in this namespace), a failed or slow read.
 */
import type { Namespace } from '@cqfleet/contracts';
import { getMsgShape, MessageReader, readLayout } from '@cqfleet/history-store';
import type { MessageFormat } from '@cqfleet/onebot';
import { counter, type Logger, type Redis, within } from '@cqfleet/runtime';

const reads = counter(
  'cqfleet_gateway_stored_reads_total',
  'get_msg look-ups the gateway made in the message store itself, by result (hit; miss, error, no_layout: answered by history)',
  ['result'],
);

/** How often the layout is read again (history restarted with another HISTORY_ID_SLOTS). */
const LAYOUT_EVERY_MS = 10_000;
/** Longest a store read may take before history is asked instead. */
const READ_TIMEOUT_MS = 250;

type Answer = ReturnType<typeof getMsgShape>;

export class StoredMessages {
  private reader?: MessageReader;
  private layoutAt = 0;
  private layoutRead?: Promise<void>;

  constructor(
    private readonly redis: Redis,
    private readonly ns: Namespace,
    private readonly log: Logger,
  ) {}

  /** get_msg's answer, or undefined when history must answer (see above). Never rejects. */
  async getMsg(
    selfId: number,
    messageId: number,
    format: MessageFormat,
  ): Promise<Answer | undefined> {
    if (Date.now() >= this.layoutAt) await this.refreshLayout();
    const reader = this.reader;
    if (!reader) {
      reads.inc({ result: 'no_layout' });
      return undefined;
    }
    try {
      const m = await within(READ_TIMEOUT_MS, reader.get(selfId, messageId), 'store read');
      reads.inc({ result: m ? 'hit' : 'miss' });
      return m && getMsgShape(m, format, messageId);
    } catch (err) {
      reads.inc({ result: 'error' });
      this.log.debug({ err: (err as Error).message }, 'store read failed; asking history');
      return undefined;
    }
  }

  /** One read of the layout at a time; a failure leaves the reader as it was. */
  private refreshLayout(): Promise<void> {
    this.layoutRead ??= within(READ_TIMEOUT_MS, readLayout(this.redis, this.ns), 'store layout')
      .then(
        layout => {
          if (!layout) this.reader = undefined;
          else if (layout.idSlots !== this.reader?.idSlots)
            this.reader = new MessageReader(this.redis, this.ns, layout.idSlots);
        },
        (err: Error) => this.log.debug({ err: err.message }, 'store layout not read'),
      )
      .finally(() => {
        // Without a layout, look again within a second: history may be starting.
        this.layoutAt = Date.now() + (this.reader ? LAYOUT_EVERY_MS : 1_000);
        this.layoutRead = undefined;
      });
    return this.layoutRead;
  }
}
