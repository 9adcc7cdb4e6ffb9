/**
 * The faults of the chaos run, in the order they are done. Each one is a crash or a partition
 * of real processes: `prepare` waits until the fleet is whole enough for the fault to mean
 * something (not timed), `inject` does it, and `heal` (after `holdMs`) brings back what a
 * supervisor (Kubernetes) would bring back; a killed gateway or worker stays dead, as a pod
 * whose replacement has not started yet.
 */
import type { ServiceProcess } from '@cqfleet/devcluster';
import type { Fleet } from './fleet.js';

/** The accounts a session worker runs now, from its /readyz. */
async function accountsOf(s: ServiceProcess): Promise<number[]> {
  try {
    const res = await fetch(`http://127.0.0.1:${String(s.ready.admin)}/readyz`, {
      signal: AbortSignal.timeout(1_000),
    });
    return ((await res.json()) as { accounts?: number[] }).accounts ?? [];
  } catch {
    return [];
  }
}

export interface Fault {
  name: string;
  prepare?(fleet: Fleet): Promise<void>;
  inject(fleet: Fleet): Promise<string>;
  /** How long the fault lasts before `heal`. */
  holdMs: number;
  heal?(fleet: Fleet): Promise<void>;
}

/** The faults, given the session workers' lease time to live. */
export function faults(leaseTtlMs: number): Fault[] {
  let killedNats: Fleet['nats']['nodes'][number] | undefined;
  let killedRedis: Fleet['redis']['redis'][number] | undefined;
  return [
    {
      name: 'NATS: kill the event stream leader',
      prepare: f => f.nats.waitForStreamCurrent(f.namespace.eventStream),
      inject: async f => {
        const leader = await f.nats.streamLeader(f.namespace.eventStream);
        if (!leader) throw new Error('the event stream has no leader');
        killedNats = leader;
        await leader.kill('SIGKILL');
        return `SIGKILL ${leader.name}`;
      },
      holdMs: 10_000,
      heal: async () => killedNats?.restart(),
    },
    {
      name: 'Redis: fail the primary over',
      prepare: f => f.redis.waitForReplicas(),
      inject: async f => {
        const { killed, primary } = await f.redis.failover();
        killedRedis = killed;
        return `SIGKILL ${killed.name}, Sentinel promoted ${primary.name}`;
      },
      holdMs: 1_000,
      // Back empty (no persistence): Sentinel makes it a replica of the new primary.
      heal: async () => killedRedis?.restart(),
    },
    {
      name: 'Redis: partition session-2 from Redis',
      inject: async f => {
        const ran = await accountsOf(f.sessions[1]!);
        f.redisProxy.cut();
        return `cut for ${leaseTtlMs + 3_000} ms, lease ${leaseTtlMs} ms (it ran ${ran.join(', ') || 'nothing'})`;
      },
      holdMs: leaseTtlMs + 3_000,
      heal: async f => f.redisProxy.restore(),
    },
    {
      name: 'Redis: restart empty',
      prepare: f => f.redis.waitForReplicas(),
      inject: async f => {
        const primary = await f.redis.primaryNode();
        await primary.kill('SIGKILL');
        // Back before Sentinel notices it was gone: its replica follows it, empty too.
        await primary.restart({ empty: true });
        return `SIGKILL ${primary.name}, restarted empty`;
      },
      holdMs: 0,
    },
    {
      name: 'gateway: SIGKILL gateway-2',
      inject: async f => {
        await f.gateways[1]!.process.kill();
        return 'SIGKILL gateway-2';
      },
      holdMs: 0,
    },
    {
      name: 'session: SIGKILL a worker',
      inject: async f => {
        // The worker that runs the most accounts: the fault costs the most.
        const owned = await Promise.all(f.sessions.map(accountsOf));
        const i = owned[1]!.length > owned[0]!.length ? 1 : 0;
        await f.sessions[i]!.kill();
        return `SIGKILL ${f.sessions[i]!.name} (it ran ${owned[i]!.join(', ') || 'nothing'})`;
      },
      holdMs: 0,
    },
  ];
}
