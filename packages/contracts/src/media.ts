/**
 * Media jobs on BullMQ (queue `media`, prefix `<ns>:bull`). The job name is the action name;
 * the gateway (or a session worker) adds the job and waits for it to finish.
 *
 * A job completes with a `MediaJobResult` whether the action succeeded or failed in the
 * OneBot sense; it only *fails* (and is retried by BullMQ on another worker) when the worker
 * crashed or hit an unexpected error.
 */

export interface MediaJobData {
  selfId: number;
  /** Parameters as parsed by the action table. */
  params: unknown;
}

export type MediaJobResult =
  { ok: true; data: unknown } | { ok: false; retcode: number; msg: string; wording: string };
