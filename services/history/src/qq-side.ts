/**
 * History's way to the QQ side: when it lacks what an action needs (a forward message's nodes,
 * part of a group's history) it asks the session worker that owns the account, through
 * `QQSide.Read` (@cqfleet/rpc: the owner found by its lease, the fence sent along so a worker
 * that lost the account refuses instead of answering for it). And whose word an answer is:
 * what an upstream implementation answers is kept under its account alone (store.ts).
 */
import { AccountRecord, type Namespace, type QQReadName, type QQReads } from '@cqfleet/contracts';
import { QQSideReader } from '@cqfleet/rpc';
import type { Redis } from '@cqfleet/runtime';
import type { Trust } from '@cqfleet/history-store';

export interface QQSideLink {
  read<K extends QQReadName>(
    selfId: number,
    name: K,
    args: QQReads[K]['args'],
  ): Promise<QQReads[K]['result']>;
  /**
   * Whose what the account's QQ side answers is: `own` for an account behind an upstream
   * implementation (its answers are kept under it alone, store.ts), `shared` otherwise.
   */
  trust(selfId: number): Promise<Trust>;
  close(): void;
}

export class QQSide implements QQSideLink {
  private readonly reader: QQSideReader;

  constructor(
    private readonly redis: Redis,
    private readonly ns: Namespace,
    timeoutMs = 10_000,
  ) {
    this.reader = new QQSideReader(redis, ns, timeoutMs);
  }

  read<K extends QQReadName>(
    selfId: number,
    name: K,
    args: QQReads[K]['args'],
  ): Promise<QQReads[K]['result']> {
    return this.reader.read(selfId, name, args);
  }

  async trust(selfId: number): Promise<Trust> {
    const json = await this.redis.hget(this.ns.accountsKey, String(selfId));
    let record: unknown;
    try {
      record = json ? JSON.parse(json) : undefined;
    } catch {
      record = undefined;
    }
    const parsed = AccountRecord.safeParse(record);
    // An account whose record is gone or unreadable is not trusted either.
    return parsed.success && parsed.data.driver === 'simulator' ? 'shared' : 'own';
  }

  close(): void {
    this.reader.close();
  }
}
