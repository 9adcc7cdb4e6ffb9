/**
 * Who owns an account now: its lease (`<ns>:lease:<uin>`: worker and fencing token) and that
 * worker's gRPC address from the worker registry (`<ns>:workers`). One place for every service
 * that routes by owner — the gateway's actions, history's reads of the QQ side.
 */
import { type Namespace, parseLease, WorkerRecord } from '@cqfleet/contracts';
import type { Redis } from '@cqfleet/runtime';

export interface Owner {
  workerId: string;
  fence: number;
  /** `host:port` of the worker's gRPC server. */
  grpc: string;
}

/** The account's owner, or undefined when no live worker holds its lease. */
export async function ownerOf(
  redis: Redis,
  ns: Namespace,
  uin: number,
): Promise<Owner | undefined> {
  const lease = parseLease(await redis.get(ns.leaseKey(uin)));
  if (!lease) return undefined;
  const json = await redis.hget(ns.workersKey, lease.workerId);
  if (!json) return undefined;
  let record: unknown;
  try {
    record = JSON.parse(json);
  } catch {
    return undefined; // a malformed worker record routes nowhere
  }
  const worker = WorkerRecord.safeParse(record);
  return worker.success
    ? { workerId: lease.workerId, fence: lease.fence, grpc: worker.data.grpc }
    : undefined;
}
