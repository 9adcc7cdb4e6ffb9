/**
 * History's way to the QQ side: when it lacks what an action needs (a forward message's nodes,
 * part of a group's history) it asks the session worker that owns the account, found from the
 * account's lease, with a QQ-side read (@cqfleet/contracts qq-reads.ts) on that worker's
 * Actions stream. The lease's fencing token goes along, so a worker that lost the account
 * refuses instead of answering for it.
 */
import {
  AccountRecord,
  type Namespace,
  parseLease,
  qqReadAction,
  type QQReadName,
  type QQReads,
  WorkerRecord,
} from '@cqfleet/contracts';
import { ERRORS, type ErrorTag, OneBotError } from '@cqfleet/onebot';
import { ActionChannels } from '@cqfleet/rpc';
import type { Logger, Redis } from '@cqfleet/runtime';
import type { Trust } from './store.js';

export interface QQSideReader {
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

export class QQSide implements QQSideReader {
  private readonly channels: ActionChannels;

  constructor(
    private readonly redis: Redis,
    private readonly ns: Namespace,
    log: Logger,
    private readonly timeoutMs = 10_000,
  ) {
    this.channels = new ActionChannels(log);
  }

  /** The account's owner now, or ACCOUNT_OFFLINE. */
  private async owner(selfId: number): Promise<{ grpc: string; fence: number }> {
    const lease = parseLease(await this.redis.get(this.ns.leaseKey(selfId)));
    const json = lease ? await this.redis.hget(this.ns.workersKey, lease.workerId) : null;
    const worker = json ? WorkerRecord.safeParse(JSON.parse(json)) : undefined;
    if (!lease || !worker?.success)
      throw new OneBotError('ACCOUNT_OFFLINE', `账号 ${selfId} 当前没有会话节点`);
    return { grpc: worker.data.grpc, fence: lease.fence };
  }

  async trust(selfId: number): Promise<Trust> {
    const json = await this.redis.hget(this.ns.accountsKey, String(selfId));
    const record = json ? AccountRecord.safeParse(safeJson(json)) : undefined;
    // An account whose record is gone or unreadable is not trusted either.
    return record?.success && record.data.driver === 'simulator' ? 'shared' : 'own';
  }

  async read<K extends QQReadName>(
    selfId: number,
    name: K,
    args: QQReads[K]['args'],
  ): Promise<QQReads[K]['result']> {
    const owner = await this.owner(selfId);
    const reply = await this.channels
      .get(owner.grpc)
      .call(
        {
          selfId,
          action: qqReadAction(name),
          paramsJson: Buffer.from(JSON.stringify(args)),
          messageFormat: 0,
          deadlineMs: this.timeoutMs,
          fence: owner.fence,
        },
        this.timeoutMs,
      )
      .catch((err: unknown) => {
        throw new OneBotError('SERVICE_UNAVAILABLE', `会话节点不可用: ${String(err)}`);
      });
    if (reply.retcode !== 0)
      throw new OneBotError(
        reply.msg in ERRORS ? (reply.msg as ErrorTag) : 'INTERNAL_ERROR',
        reply.wording,
        { retcode: reply.retcode },
      );
    return JSON.parse(Buffer.from(reply.dataJson).toString('utf8')) as QQReads[K]['result'];
  }

  close(): void {
    this.channels.closeAll();
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
