/**
 * The session's client of the history service (`History.GetMessage`): `reply` segments,
 * `delete_msg`, essence, reactions, read marks and forward `node{id}` all start from a message
 * id the client holds.
 */
import { type ErrorTag, type MessageEvent, OneBotError } from '@cqfleet/onebot';
import { GetMessageRequest, HistoryClient } from '@cqfleet/proto';
import { CHANNEL_OPTIONS, insecure } from '@cqfleet/runtime';
import { Metadata, status } from '@grpc/grpc-js';

export interface MessageLookup {
  /** The stored message event; fails with `tag` when history does not know the id. */
  find(selfId: number, messageId: number, tag: ErrorTag): Promise<MessageEvent>;
  close(): void;
}

export function historyLookup(address: string | undefined, timeoutMs = 5_000): MessageLookup {
  if (!address)
    return {
      find: async (_s, _m, tag) => {
        throw new OneBotError(tag, '未配置历史服务 (SESSION_HISTORY_ADDR)');
      },
      close: () => {},
    };
  const client = new HistoryClient(address, insecure(), CHANNEL_OPTIONS);
  return {
    find: (selfId, messageId, tag) =>
      new Promise((resolve, reject) => {
        const request = GetMessageRequest.fromPartial({ selfId, messageId });
        client.getMessage(
          request,
          new Metadata(),
          { deadline: Date.now() + timeoutMs },
          (err, reply) => {
            if (err)
              return reject(
                err.code === status.RESOURCE_EXHAUSTED
                  ? new OneBotError('RATE_LIMIT_QUEUE_FULL', err.details)
                  : new OneBotError('SERVICE_UNAVAILABLE', `历史服务不可用: ${err.message}`),
              );
            if (!reply.found) return reject(new OneBotError(tag));
            resolve(JSON.parse(Buffer.from(reply.recordJson).toString('utf8')) as MessageEvent);
          },
        );
      }),
    close: () => client.close(),
  };
}
