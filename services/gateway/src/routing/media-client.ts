/** Media actions go to the BullMQ `media` queue; the caller waits for the job's result. */
import type { MediaJobData, MediaJobResult, Namespace } from '@cqfleet/contracts';
import { failed, ok, type ActionResponse, failedTag } from '@cqfleet/onebot';
import type { Logger, Redis } from '@cqfleet/runtime';
import { Queue, QueueEvents } from 'bullmq';

export class MediaClient {
  private readonly queue: Queue<MediaJobData, MediaJobResult>;
  private readonly events: QueueEvents;

  constructor(
    connection: Redis,
    eventsConnection: Redis,
    ns: Namespace,
    private readonly log: Logger,
  ) {
    this.queue = new Queue(ns.mediaQueue, { connection, prefix: ns.bullPrefix });
    this.events = new QueueEvents(ns.mediaQueue, {
      connection: eventsConnection,
      prefix: ns.bullPrefix,
    });
    this.queue.on('error', err => log.warn({ err: err.message }, 'media queue error'));
    this.events.on('error', err => log.warn({ err: err.message }, 'media queue events error'));
  }

  async ready(): Promise<void> {
    await this.events.waitUntilReady();
  }

  async run(
    action: string,
    selfId: number,
    params: unknown,
    timeoutMs: number,
  ): Promise<ActionResponse> {
    const job = await this.queue.add(
      action,
      { selfId, params },
      {
        attempts: 3,
        backoff: { type: 'exponential', delay: 500 },
        removeOnComplete: { age: 3600, count: 10_000 },
        removeOnFail: { age: 24 * 3600 },
      },
    );
    try {
      const result = await job.waitUntilFinished(this.events, timeoutMs);
      return result.ok ? ok(result.data) : failed(result.retcode, result.msg, result.wording);
    } catch (err) {
      const message = (err as Error).message;
      this.log.warn({ err: message, job: job.id, action }, 'media job did not finish');
      // BullMQ rejects with "timed out" when we stopped waiting; otherwise the job failed for good.
      return /timed out/i.test(message)
        ? failedTag('TIMEOUT', `媒体任务未在 ${timeoutMs} ms 内完成`)
        : failedTag('INTERNAL_ERROR');
    }
  }

  async close(): Promise<void> {
    await this.events.close();
    await this.queue.close();
  }
}
