/**
 * History's reads of the QQ side over gRPC (`QQSide.Read`, proto/cqfleet/v1/qq_side.proto; the
 * reads are @cqfleet/contracts qq-reads.ts): the client history uses — the account's owner found
 * by its lease, the fence sent along so a worker that lost the account refuses — and the adapter
 * a session worker serves them with. Failures travel as data, as actions' do, and so does a
 * result too large for one gRPC message (bounds.ts). The worker's deadline is a margin shorter
 * than the reader's wait, so a slow read is answered TIMEOUT rather than cut off unanswered.
 */
import type { Namespace, QQReadName, QQReads } from '@cqfleet/contracts';
import { ERRORS, type ErrorTag, isOneBotError, OneBotError, toFailure } from '@cqfleet/onebot';
import {
  QQRead,
  QQReadReply,
  type QQReadRequest,
  QQSideClient,
  type QQSideServer,
  QQSideService,
} from '@cqfleet/proto';
import {
  CHANNEL_OPTIONS,
  type GrpcService,
  insecure,
  type Logger,
  type Redis,
} from '@cqfleet/runtime';
import { Metadata, status } from '@grpc/grpc-js';
import { fitsMessage, fittingFailure, ownerDeadlineMs, resultTooLarge } from './bounds.js';
import { Refused } from './server.js';
import { ownerOf } from './owners.js';
import { PeerPool } from './peer-pool.js';

const WIRE: Record<QQReadName, QQRead> = {
  forward: QQRead.QQ_READ_FORWARD,
  group_messages: QQRead.QQ_READ_GROUP_MESSAGES,
  message: QQRead.QQ_READ_MESSAGE,
};

function nameOf(read: QQRead): QQReadName | undefined {
  return (Object.keys(WIRE) as QQReadName[]).find(n => WIRE[n] === read);
}

/** What a session worker does for one read: the read's result, or a failure (Refused: not done). */
export type ServeRead = <K extends QQReadName>(
  selfId: number,
  fence: number,
  name: K,
  args: QQReads[K]['args'],
) => Promise<QQReads[K]['result']>;

/** The `QQSide` service of a session worker. */
export function qqSideService(serve: ServeRead, log: Logger, maxMs = 30_000): GrpcService {
  const run = async (req: QQReadRequest): Promise<QQReadReply> => {
    let timer: NodeJS.Timeout | undefined;
    try {
      const name = nameOf(req.read);
      if (!name) throw new OneBotError('API_NOT_FOUND', `未知的读取 ${String(req.read)}`);
      const args = JSON.parse(Buffer.from(req.argsJson).toString('utf8')) as never;
      const limit = new Promise<never>((_r, reject) => {
        const ms = req.deadlineMs > 0 ? Math.min(req.deadlineMs, maxMs) : maxMs;
        timer = setTimeout(() => reject(new OneBotError('TIMEOUT')), ms);
      });
      const data = await Promise.race([serve(req.selfId, req.fence, name, args), limit]);
      const dataJson = Buffer.from(JSON.stringify(data ?? null));
      if (!fitsMessage(dataJson)) throw resultTooLarge(dataJson.length);
      return QQReadReply.fromPartial({ dataJson, executed: true });
    } catch (err) {
      const refused = err instanceof Refused;
      const cause = refused ? err.error : err;
      if (!isOneBotError(cause))
        log.error({ err: cause, selfId: req.selfId }, 'QQ-side read failed');
      const f = fittingFailure(toFailure(cause));
      return QQReadReply.fromPartial({
        retcode: f.retcode,
        msg: f.msg,
        wording: f.wording,
        executed: !refused,
      });
    } finally {
      clearTimeout(timer);
    }
  };
  const implementation: QQSideServer = {
    read(call, callback) {
      void run(call.request).then(reply => callback(null, reply));
    },
  };
  return { definition: QQSideService, implementation };
}

/** The largest answer history takes from a QQ-side read (its data, JSON). */
export const MAX_QQ_READ_BYTES = 16 * 1024 * 1024;

/**
 * The reads' channel takes no message larger than an answer may be (and its envelope): a
 * larger one is refused by grpc-js as it arrives (RESOURCE_EXHAUSTED), not held whole first.
 */
const READ_CHANNEL_OPTIONS = {
  ...CHANNEL_OPTIONS,
  'grpc.max_receive_message_length': MAX_QQ_READ_BYTES + 64 * 1024,
};

/** History's client: reads the QQ side through the account's owning session worker. */
export class QQSideReader {
  /** One client per worker address, let go once idle (peer-pool.ts; calls end at a deadline). */
  private readonly clients = new PeerPool<QQSideClient>({
    make: address => new QQSideClient(address, insecure(), READ_CHANNEL_OPTIONS),
    close: client => client.close(),
  });

  constructor(
    private readonly redis: Redis,
    private readonly ns: Namespace,
    private readonly timeoutMs = 10_000,
  ) {}

  async read<K extends QQReadName>(
    selfId: number,
    name: K,
    args: QQReads[K]['args'],
  ): Promise<QQReads[K]['result']> {
    const owner = await ownerOf(this.redis, this.ns, selfId);
    if (!owner) throw new OneBotError('ACCOUNT_OFFLINE', `账号 ${selfId} 当前没有会话节点`);
    const reply = await this.call(owner.grpc, {
      selfId,
      fence: owner.fence,
      read: WIRE[name],
      argsJson: Buffer.from(JSON.stringify(args)),
      deadlineMs: ownerDeadlineMs(this.timeoutMs),
    });
    if (reply.retcode !== 0)
      throw new OneBotError(
        Object.hasOwn(ERRORS, reply.msg) ? (reply.msg as ErrorTag) : 'INTERNAL_ERROR',
        reply.wording,
        { retcode: reply.retcode },
      );
    // A page, a forward, a message: a few MiB when honest. More is an upstream's padding,
    // which history would hold (and a forward expansion several of at once) for nothing.
    if (reply.dataJson.length > MAX_QQ_READ_BYTES)
      throw new OneBotError(
        'RESULT_TOO_LARGE',
        `QQ 侧对 ${name} 的回答超过 ${MAX_QQ_READ_BYTES} 字节`,
      );
    return JSON.parse(Buffer.from(reply.dataJson).toString('utf8')) as QQReads[K]['result'];
  }

  private call(address: string, request: QQReadRequest): Promise<QQReadReply> {
    const c = this.clients.get(address);
    return new Promise((resolve, reject) =>
      c.read(request, new Metadata(), { deadline: Date.now() + this.timeoutMs }, (err, reply) => {
        if (!err) return resolve(reply);
        if (err.code === status.RESOURCE_EXHAUSTED)
          return reject(
            new OneBotError(
              'RESULT_TOO_LARGE',
              `QQ 侧的回答超过 ${MAX_QQ_READ_BYTES} 字节, 未收下`,
            ),
          );
        reject(new OneBotError('SERVICE_UNAVAILABLE', `会话节点不可用: ${err.message}`));
      }),
    );
  }

  close(): void {
    this.clients.closeAll();
  }
}
