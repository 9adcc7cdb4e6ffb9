/**
 * The production overlay has no single point of failure (issue 18), checked offline: a NATS
 * cluster of three servers with JetStream, routed through their headless Service, each on its own
 * volume; Redis with a replica and three Sentinels that name hosts; the services and KEDA pointed
 * at all of them; for each of those pod sets probes, resources, a disruption budget that keeps a
 * quorum and one pod per node; and the declared accounts ConfigMap (and its commented example)
 * read by the session's own reader. The checks common to both overlays are in deploy-k8s.test.ts.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { driverOptionsProblem } from '@cqfleet/contracts';
import { describe, expect, it } from 'vitest';
// The session's own reader of SESSION_ACCOUNTS_FILE (not exported by the package entry).
import { readAccountsFile } from '../services/session/src/registry.js';
import {
  build,
  envOf,
  find,
  K8S,
  mountedFile,
  type Obj,
  podContainers,
  selects,
} from './deploy-support.js';

describe('deploy/k8s/overlays/production: no single point of failure (issue 18)', () => {
  const objects = build(join(K8S, 'overlays/production'));
  const config = find(objects, 'ConfigMap', 'cqfleet-config')!.data as Record<string, string>;
  const statefulSet = (name: string): Obj => {
    const w = find(objects, 'StatefulSet', name);
    if (!w) throw new Error(`no StatefulSet ${name}`);
    return w;
  };
  // Looked up in each test, so that a missing one fails those tests rather than the file.
  const natsSet = () => statefulSet('nats');
  const redisSet = () => statefulSet('redis');
  const sentinelSet = () => statefulSet('redis-sentinel');
  const container = (w: Obj, name: string): Obj =>
    w.spec.template.spec.containers.find((c: Obj) => c.name === name);
  const portOf = (w: Obj, name: string): number =>
    w.spec.template.spec.containers
      .flatMap((c: Obj) => c.ports ?? [])
      .find((p: Obj) => p.name === name)?.containerPort;

  /** Every pod's stable address `<pod>.<headless service>:<port>`, which must resolve early. */
  function podAddresses(w: Obj, port: string): string[] {
    const svc = find(objects, 'Service', w.spec.serviceName);
    expect(svc?.spec.clusterIP, `${w.spec.serviceName} is headless`).toBe('None');
    expect(selects(svc!.spec.selector, w), `${w.spec.serviceName} selects ${w.metadata.name}`).toBe(
      true,
    );
    // Published before the pods are ready: servers find each other while they start.
    expect(svc!.spec.publishNotReadyAddresses).toBe(true);
    expect(portOf(w, port), `${w.metadata.name} port ${port}`).toBeGreaterThan(0);
    return Array.from(
      { length: w.spec.replicas as number },
      (_, i) => `${w.metadata.name}-${i}.${w.spec.serviceName}:${portOf(w, port)}`,
    );
  }
  const list = (v: string | undefined) => (v ?? '').split(',').filter(Boolean);

  it('NATS: three servers in one cluster, routed through the headless Service, with JetStream on a volume', () => {
    const nats = natsSet();
    expect(nats.spec.replicas).toBe(3);
    const c = container(nats, 'nats');
    const file = c.args[c.args.indexOf('--config') + 1] as string;
    const conf = mountedFile(nats, c, file, objects);
    expect(conf, `${file} from a ConfigMap`).toBeDefined();
    // The routes name every server, cluster port, through the headless Service.
    const cluster = /^cluster\s*\{([\s\S]*?)^\}/m.exec(conf!)?.[1] ?? '';
    expect(cluster).toMatch(new RegExp(`^\\s*port:\\s*${portOf(nats, 'cluster')}$`, 'm'));
    expect(cluster).toMatch(/^\s*name:\s*\S+$/m);
    const routes = /routes:\s*\[([^\]]*)\]/
      .exec(cluster)?.[1]
      ?.split(/[\s,]+/)
      .filter(Boolean);
    expect(routes?.sort()).toEqual(podAddresses(nats, 'cluster').map(a => `nats://${a}`));
    expect(conf).toMatch(new RegExp(`^port:\\s*${portOf(nats, 'client')}$`, 'm'));
    expect(conf).toMatch(new RegExp(`^http_port:\\s*${portOf(nats, 'monitor')}$`, 'm'));
    // Each server has its own, stable name (JetStream's cluster knows its members by name).
    const name = /^server_name:\s*\$(\w+)$/m.exec(conf!)?.[1];
    expect(c.env.find((e: Obj) => e.name === name)?.valueFrom?.fieldRef?.fieldPath).toBe(
      'metadata.name',
    );
    // JetStream keeps its files on the pod's own volume.
    const jetstream = /^jetstream\s*\{([\s\S]*?)^\}/m.exec(conf!)?.[1] ?? '';
    const storeDir = /store_dir:\s*(\S+)/.exec(jetstream)?.[1];
    const claims = nats.spec.volumeClaimTemplates.map((t: Obj) => t.metadata.name);
    expect(
      c.volumeMounts.find((m: Obj) => m.mountPath === storeDir)?.name,
      `store_dir ${storeDir} on a claimed volume`,
    ).toBeOneOf(claims);
  });

  it('Redis: a primary and a replica on their own volumes, three Sentinels that name hosts', () => {
    const [redis, sentinels] = [redisSet(), sentinelSet()];
    expect(redis.spec.replicas).toBeGreaterThanOrEqual(2);
    expect(sentinels.spec.replicas).toBe(3);
    const volumes = redis.spec.volumeClaimTemplates.map((t: Obj) => t.metadata.name);
    const data = container(redis, 'redis').volumeMounts.find((m: Obj) => m.mountPath === '/data');
    expect(data?.name).toBeOneOf(volumes);
    /** A file of the ConfigMap a pod set mounts (the scripts start from these). */
    const configFile = (w: Obj, key: string) => {
      const volume = w.spec.template.spec.volumes.find((v: Obj) => v.configMap);
      return find(objects, 'ConfigMap', volume.configMap.name)?.data?.[key] as string;
    };
    expect(configFile(redis, 'redis.conf')).toMatch(/^appendonly yes$/m);
    expect(configFile(redis, 'redis.conf')).toMatch(/^dir \/data$/m);
    const sentinel = configFile(sentinels, 'sentinel.conf');
    // Pod IPs change on restart: Sentinels and Redis name each other by host name.
    expect(sentinel).toMatch(/^sentinel resolve-hostnames yes$/m);
    expect(sentinel).toMatch(/^sentinel announce-hostnames yes$/m);
    const monitor = /^sentinel monitor (\S+) \S+ (\d+) (\d+)$/m.exec(sentinel);
    expect(monitor?.[1]).toBe(config.CQFLEET_REDIS_MASTER);
    expect(Number(monitor?.[2])).toBe(portOf(redis, 'redis'));
    // A majority of the Sentinels decides a failover.
    expect(Number(monitor?.[3])).toBe(Math.floor(sentinels.spec.replicas / 2) + 1);
  });

  it('the services use every NATS server, three stream copies and the Sentinels', () => {
    const [nats, sentinels] = [natsSet(), sentinelSet()];
    expect(list(config.CQFLEET_NATS_URL)).toHaveLength(3);
    expect(list(config.CQFLEET_NATS_URL)).toEqual(
      podAddresses(nats, 'client').map(a => `nats://${a}`),
    );
    expect(config.CQFLEET_STREAM_REPLICAS).toBe('3');
    expect(Number(config.CQFLEET_STREAM_REPLICAS)).toBeLessThanOrEqual(nats.spec.replicas);
    expect(list(config.CQFLEET_REDIS_SENTINELS)).toHaveLength(3);
    expect(list(config.CQFLEET_REDIS_SENTINELS)).toEqual(podAddresses(sentinels, 'sentinel'));
    expect(config.CQFLEET_REDIS_MASTER).toMatch(/^\S+$/);
    // Not a fixed address that stops being the primary after a failover.
    expect(config.CQFLEET_REDIS_URL).toBeUndefined();
  });

  it('KEDA reads the media queue through the same Sentinels, in this namespace', () => {
    const sentinels = sentinelSet();
    const scaled = find(objects, 'ScaledObject', 'media')!;
    expect(scaled.spec.triggers).toHaveLength(1);
    const [trigger] = scaled.spec.triggers;
    expect(trigger.type).toBe('redis-sentinel');
    expect(trigger.metadata.sentinelMaster).toBe(config.CQFLEET_REDIS_MASTER);
    const namespace = scaled.metadata.namespace as string;
    expect(list(trigger.metadata.addresses)).toEqual(
      podAddresses(sentinels, 'sentinel').map(a => a.replace(/:/, `.${namespace}.svc:`)),
    );
  });

  describe.each(['nats', 'redis', 'redis-sentinel'])('%s pods', name => {
    it('have probes and resources on every container', () => {
      const w = statefulSet(name);
      for (const c of w.spec.template.spec.containers) {
        expect(c.readinessProbe, c.name).toBeDefined();
        expect(c.livenessProbe, c.name).toBeDefined();
      }
      for (const c of podContainers(w)) {
        expect(c.resources?.requests?.cpu, c.name).toBeDefined();
        expect(c.resources?.requests?.memory, c.name).toBeDefined();
        expect(c.resources?.limits?.memory, c.name).toBeDefined();
      }
    });

    it('have a disruption budget that lets one go at a time (a quorum stays)', () => {
      const w = statefulSet(name);
      const budgets = objects.filter(
        o => o.kind === 'PodDisruptionBudget' && selects(o.spec.selector.matchLabels, w),
      );
      expect(budgets).toHaveLength(1);
      const { maxUnavailable, minAvailable } = budgets[0]!.spec;
      if (maxUnavailable !== undefined) expect(maxUnavailable).toBe(1);
      else expect(minAvailable).toBe(w.spec.replicas - 1);
    });

    it('are each on a node of their own (required anti-affinity by host name)', () => {
      const w = statefulSet(name);
      const terms: Obj[] =
        w.spec.template.spec.affinity?.podAntiAffinity
          ?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
      expect(
        terms.some(
          t =>
            t.topologyKey === 'kubernetes.io/hostname' && selects(t.labelSelector?.matchLabels, w),
        ),
      ).toBe(true);
    });
  });

  it("declared accounts: the ConfigMap at SESSION_ACCOUNTS_FILE, and its comment's example, pass the session's reader", async () => {
    const session = find(objects, 'Deployment', 'session')!;
    const c = container(session, 'session');
    const path = envOf(c, objects).SESSION_ACCOUNTS_FILE;
    expect(path).toBeDefined();
    const text = mountedFile(session, c, path!, objects);
    expect(text, `${path} from a ConfigMap`).toBeDefined();
    expect(text).toBe(find(objects, 'ConfigMap', 'session-accounts')?.data['accounts.json']);
    // The example the file's comment shows, as an operator would uncomment it.
    const source = readFileSync(join(K8S, 'overlays/production/session-accounts.yaml'), 'utf8');
    const example = /^# {3}accounts\.json: \|\n((?:# {5}.*\n)+)/m
      .exec(source)?.[1]
      ?.replace(/^# {5}/gm, '');
    expect(example, 'an example in the comment').toBeDefined();
    const dir = mkdtempSync(join(tmpdir(), 'cqfleet-accounts-'));
    try {
      writeFileSync(join(dir, 'deployed.json'), text!);
      expect(Array.isArray(await readAccountsFile(join(dir, 'deployed.json')))).toBe(true);
      writeFileSync(join(dir, 'example.json'), example!);
      const records = await readAccountsFile(join(dir, 'example.json'));
      expect(records.length).toBeGreaterThan(0);
      for (const r of records) expect(driverOptionsProblem(r), `${r.uin}`).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
