/**
 * The deployment files, checked offline (issue 7, points 5 and 6; issue 18): every Kubernetes
 * object of each overlay against the Kubernetes (and KEDA) schemas with `kubernetes-models`, the
 * shape the cluster relies on (probes on the real health endpoints, resources, disruption
 * budgets, selectors, the media autoscaler reading the BullMQ wait list), the production
 * overlay's NATS cluster and Redis with Sentinel (no single point of failure: three NATS
 * servers with JetStream routed through their headless Service, a Redis replica and three
 * Sentinels, one pod per node, budgets that keep a quorum, the services pointed at all of them),
 * and every service's settings in the manifests and in docker-compose.yml (alone and with
 * docker-compose.ha.yml) parsed by that service's own configuration schema.
 *
 * No kustomize binary is needed: `build` below understands what these overlays use (resources,
 * components, namespace, labels, images, strategic-merge patches, a secret generator); where
 * `kubectl` is installed its `kustomize` must render the same objects.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import {
  AccountRecord,
  driverOptionsProblem,
  Namespace,
  UpstreamOptions,
} from '@cqfleet/contracts';
import { REPO_ROOT } from '@cqfleet/devcluster';
import { loadConfig as gatewayConfig } from '@cqfleet/gateway';
import { loadConfig as historyConfig } from '@cqfleet/history';
import { loadConfig as mediaConfig } from '@cqfleet/media';
import { loadConfig as sessionConfig } from '@cqfleet/session';
import { loadConfig as simulatorConfig } from '@cqfleet/simulator';
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
// The session's own reader of SESSION_ACCOUNTS_FILE (not exported by the package entry).
import { readAccountsFile } from '../services/session/src/registry.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- manifests are untyped YAML */
type Obj = Record<string, any>;

const K8S = join(REPO_ROOT, 'deploy/k8s');
const MODELS: Record<string, new (o: any) => { validate(): void }> = {
  Deployment,
  StatefulSet,
  Service,
  ConfigMap,
  Secret,
  PersistentVolumeClaim,
  PodDisruptionBudget,
  HorizontalPodAutoscaler,
  ScaledObject,
};
/** Kinds kustomize has no schema for (their patches merge by the generic rules). */
const CUSTOM_KINDS = new Set(['ScaledObject']);
const CONFIG: Record<string, (env: Record<string, string>) => unknown> = {
  gateway: gatewayConfig,
  session: sessionConfig,
  history: historyConfig,
  media: mediaConfig,
  simulator: simulatorConfig,
};

const yamlDocs = (file: string): Obj[] =>
  parseAllDocuments(readFileSync(file, 'utf8'))
    .map(d => d.toJS() as Obj)
    .filter(Boolean);

/** A pod template's containers, init containers first (none for other objects). */
const podContainers = (o: Obj): Obj[] => [
  ...(o.spec?.template?.spec?.initContainers ?? []),
  ...(o.spec?.template?.spec?.containers ?? []),
];

const find = (objects: Obj[], kind: string, name: string): Obj | undefined =>
  objects.find(o => o.kind === kind && o.metadata.name === name);

/** Whether a label selector's `matchLabels` selects a workload's pods. */
const selects = (matchLabels: Record<string, string> | undefined, w: Obj): boolean =>
  matchLabels !== undefined &&
  Object.keys(matchLabels).length > 0 &&
  Object.entries(matchLabels).every(([k, v]) => w.spec.template.metadata.labels?.[k] === v);

/** The ConfigMap key a container reads at `path` (a ConfigMap volume mounted at its directory). */
function mountedFile(w: Obj, container: Obj, path: string, objects: Obj[]): string | undefined {
  const mount = (container.volumeMounts ?? []).find((m: Obj) => m.mountPath === dirname(path));
  const volume = (w.spec.template.spec.volumes ?? []).find((v: Obj) => v.name === mount?.name);
  const cm = volume?.configMap && find(objects, 'ConfigMap', volume.configMap.name);
  return cm?.data?.[basename(path)] as string | undefined;
}

const isMap = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The lists of built-in kinds these overlays patch, and the key their items merge on. */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  ports: 'containerPort',
};

/**
 * A strategic-merge patch as kustomize applies it: maps merge (`null` deletes); a list of a
 * built-in kind merges its items on their key (new items first), other lists are replaced —
 * but a custom resource's list of named items merges by name.
 */
function strategicMerge(target: unknown, patch: unknown, builtin: boolean, field = ''): unknown {
  if (isMap(target) && isMap(patch)) {
    const out: Obj = { ...target };
    for (const [k, v] of Object.entries(patch)) {
      if (v === null) delete out[k];
      else out[k] = strategicMerge(target[k], v, builtin, k);
    }
    return out;
  }
  if (Array.isArray(target) && Array.isArray(patch)) {
    const key = builtin
      ? MERGE_KEYS[field]
      : patch.every(p => isMap(p) && 'name' in p)
        ? 'name'
        : undefined;
    if (!key) return patch;
    const merged = target.map((t: Obj) => {
      const p = patch.find((p: Obj) => p[key] === t[key]) as unknown;
      return p === undefined ? t : strategicMerge(t, p, builtin);
    });
    return [...patch.filter((p: Obj) => !target.some((t: Obj) => t[key] === p[key])), ...merged];
  }
  return patch;
}

/**
 * `kustomize build` of a Kustomization, or a Component applied to what its parent has
 * (`inherited`): resources, then components (they see and patch everything so far), then its
 * own generator and transformers.
 */
function build(dir: string, inherited: Obj[] = []): Obj[] {
  const k = parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as Obj;
  let objects: Obj[] = [...inherited];
  for (const r of k.resources ?? []) {
    const path = join(dir, r);
    objects.push(...(r.endsWith('.yaml') ? yamlDocs(path) : build(path)));
  }
  for (const c of k.components ?? []) objects = build(join(dir, c), objects);
  for (const g of k.secretGenerator ?? []) {
    // The operator writes the env files (never committed); the tests read the example's keys.
    const stringData: Record<string, string> = {};
    for (const file of g.envs ?? []) {
      const path = join(dir, file);
      const text = readFileSync(existsSync(path) ? path : `${path}.example`, 'utf8');
      for (const line of text.split('\n')) {
        const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
        if (m) stringData[m[1]!] = m[2] || `${m[1]!.toLowerCase()}-set-by-the-operator`;
      }
    }
    objects.push({ apiVersion: 'v1', kind: 'Secret', metadata: { name: g.name }, stringData });
  }
  for (const p of k.patches ?? []) {
    const i = objects.findIndex(o => o.kind === p.target.kind && o.metadata.name === p.target.name);
    if (i < 0) throw new Error(`${dir}: patch target ${p.target.kind}/${p.target.name} missing`);
    const patch = parse(readFileSync(join(dir, p.path), 'utf8')) as Obj;
    objects[i] = strategicMerge(objects[i], patch, !CUSTOM_KINDS.has(p.target.kind)) as Obj;
  }
  for (const { pairs, includeSelectors } of k.labels ?? []) {
    if (includeSelectors !== false) throw new Error(`${dir}: only labels off the selectors`);
    for (const o of objects) o.metadata.labels = { ...o.metadata.labels, ...pairs };
  }
  for (const img of k.images ?? [])
    for (const o of objects)
      for (const c of podContainers(o))
        if (c.image === img.name || c.image.startsWith(`${img.name}:`))
          c.image = `${img.newName ?? img.name}:${img.newTag}`;
  if (k.namespace)
    objects = objects.map(o => ({ ...o, metadata: { ...o.metadata, namespace: k.namespace } }));
  return objects;
}

/** A container's environment as the service sees it (config map and secret included). */
function envOf(container: Obj, objects: Obj[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const from of container.envFrom ?? []) {
    const cm = objects.find(
      o => o.kind === 'ConfigMap' && o.metadata.name === from.configMapRef?.name,
    );
    if (!cm) throw new Error(`no config map ${from.configMapRef?.name}`);
    Object.assign(env, cm.data);
  }
  for (const e of container.env ?? []) {
    if (e.value !== undefined) env[e.name] = String(e.value);
    else if (e.valueFrom?.secretKeyRef) {
      const ref = e.valueFrom.secretKeyRef;
      const secret = objects.find(o => o.kind === 'Secret' && o.metadata.name === ref.name);
      const value = secret?.stringData?.[ref.key];
      if (value === undefined) throw new Error(`no secret key ${ref.name}/${ref.key}`);
      env[e.name] = value;
    } else if (e.valueFrom?.fieldRef) env[e.name] = 'from-the-pod';
  }
  return env;
}

const workloads = (objects: Obj[]) =>
  objects.filter(o => o.kind === 'Deployment' || o.kind === 'StatefulSet');

const KUBECTL = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;

describe.each(['demo', 'production'])('deploy/k8s/overlays/%s', overlay => {
  const objects = build(join(K8S, 'overlays', overlay));

  it('every object is valid against its Kubernetes or KEDA schema', () => {
    for (const o of objects) {
      const Model = MODELS[o.kind];
      expect(Model, `a schema for ${o.kind}`).toBeDefined();
      expect(() => new Model!(o).validate(), `${o.kind}/${o.metadata.name}`).not.toThrow();
    }
    const names = objects.map(o => `${o.kind}/${o.metadata.name}`);
    expect(new Set(names).size).toBe(names.length);
  });

  it.skipIf(!KUBECTL)(
    'renders what `kubectl kustomize` renders (where kubectl is installed)',
    () => {
      // A copy, with the secrets.env the operator writes; the generated Secret is left out (it is
      // base64 there), everything else must be the same object.
      const copy = mkdtempSync(join(tmpdir(), 'cqfleet-k8s-'));
      try {
        cpSync(K8S, copy, { recursive: true });
        const env = join(copy, 'overlays', overlay, 'secrets.env');
        if (existsSync(`${env}.example`) && !existsSync(env))
          writeFileSync(env, readFileSync(`${env}.example`, 'utf8').replace(/=$/gm, '=x'));
        const rendered = execFileSync('kubectl', ['kustomize', join(copy, 'overlays', overlay)], {
          encoding: 'utf8',
        });
        const byName = (list: Obj[]) =>
          Object.fromEntries(
            list.filter(o => o.kind !== 'Secret').map(o => [`${o.kind}/${o.metadata.name}`, o]),
          );
        expect(byName(objects)).toEqual(
          byName(parseAllDocuments(rendered).map(d => d.toJS() as Obj)),
        );
      } finally {
        rmSync(copy, { recursive: true, force: true });
      }
    },
  );

  it('workloads: probes on declared ports, resources, a disruption budget for every service', () => {
    for (const w of workloads(objects)) {
      for (const c of w.spec.template.spec.containers) {
        const ports = new Set((c.ports ?? []).map((p: Obj) => p.name));
        for (const probe of [c.readinessProbe, c.livenessProbe]) {
          expect(probe, `${w.metadata.name} probes`).toBeDefined();
          const port = probe.httpGet?.port ?? probe.tcpSocket?.port;
          if (port !== undefined)
            expect(ports.has(port), `${w.metadata.name} port ${port}`).toBe(true);
        }
      }
      for (const c of podContainers(w)) {
        expect(c.resources?.requests?.cpu, `${w.metadata.name}/${c.name}`).toBeDefined();
        expect(c.resources?.limits?.memory, `${w.metadata.name}/${c.name}`).toBeDefined();
      }
    }
    const services = workloads(objects).filter(w =>
      w.spec.template.spec.containers[0].image.includes('cqfleet'),
    );
    for (const s of services.filter(s => s.metadata.name !== 'simulator')) {
      // The cqfleet services answer /readyz and /healthz on their admin port.
      const c = s.spec.template.spec.containers[0];
      expect(c.readinessProbe.httpGet).toMatchObject({ path: '/readyz', port: 'admin' });
      expect(c.livenessProbe.httpGet).toMatchObject({ path: '/healthz', port: 'admin' });
      expect(
        objects.some(
          o =>
            o.kind === 'PodDisruptionBudget' &&
            o.spec.selector.matchLabels['app.kubernetes.io/name'] === s.metadata.name,
        ),
        `a PDB for ${s.metadata.name}`,
      ).toBe(true);
    }
  });

  it('services select a workload and name its ports', () => {
    for (const svc of objects.filter(o => o.kind === 'Service')) {
      const w = workloads(objects).find(w =>
        Object.entries(svc.spec.selector).every(
          ([k, v]) => w.spec.template.metadata.labels[k] === v,
        ),
      );
      expect(w, `a workload for service ${svc.metadata.name}`).toBeDefined();
      const ports = w!.spec.template.spec.containers.flatMap((c: Obj) =>
        c.ports.map((p: Obj) => p.name),
      );
      for (const p of svc.spec.ports) expect(ports).toContain(p.targetPort);
    }
  });

  it("every cqfleet container's settings pass that service's configuration schema", () => {
    for (const w of workloads(objects))
      for (const c of w.spec.template.spec.containers) {
        const env = envOf(c, objects);
        if (!env.SERVICE) continue;
        const load = CONFIG[env.SERVICE];
        expect(load, env.SERVICE).toBeDefined();
        const { SERVICE: _s, POD_IP: _p, ...settings } = env;
        expect(() => load!(settings), `${w.metadata.name}`).not.toThrow();
      }
  });

  it('ships no usable token, and keeps history for a bounded time', () => {
    const secret = objects.find(o => o.kind === 'Secret' && o.metadata.name === 'cqfleet-secrets');
    const tokens = Object.values<string>(secret!.stringData);
    for (const t of tokens) expect(t).not.toMatch(/change-me/);
    if (overlay === 'production')
      // Only the operator's secrets.env gives them; the repository has the example.
      expect(existsSync(join(K8S, 'overlays', overlay, 'secrets.env'))).toBe(false);
    const history = workloads(objects).find(w => w.metadata.name === 'history')!;
    const env = envOf(history.spec.template.spec.containers[0], objects);
    expect(Number(env.HISTORY_MAX_AGE_S)).toBeGreaterThan(0);
  });

  it('the gateway scales on CPU, media on the depth of the BullMQ wait list', () => {
    const hpa = objects.find(o => o.kind === 'HorizontalPodAutoscaler');
    expect(hpa?.spec.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: 'gateway' });
    const scaled = objects.find(o => o.kind === 'ScaledObject');
    expect(scaled?.spec.scaleTargetRef.name).toBe('media');
    const config = objects.find(
      o => o.kind === 'ConfigMap' && o.metadata.name === 'cqfleet-config',
    );
    const ns = new Namespace(config!.data.CQFLEET_NAMESPACE);
    expect(scaled?.spec.triggers[0].metadata.listName).toBe(
      `${ns.bullPrefix}:${ns.mediaQueue}:wait`,
    );
  });
});

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

const composeFile = (file: string): Obj =>
  // `<<:` merge keys are how the files share a service's template.
  parse(readFileSync(join(REPO_ROOT, file), 'utf8'), { merge: true }) as Obj;

/** A compose list or mapping of names (`depends_on`) as names. */
const names = (v: unknown): string[] =>
  Array.isArray(v) ? v.map(String) : isMap(v) ? Object.keys(v) : [];

/**
 * `docker compose -f base -f override` (the Compose specification's merge): mappings merge;
 * `command` and `entrypoint` are replaced; `depends_on` accumulates; `volumes` merge on the
 * path they are mounted at.
 */
function composeMerge(base: Obj, override: Obj): Obj {
  const services: Obj = { ...base.services };
  for (const [name, o] of Object.entries<Obj>(override.services)) {
    const b: Obj = services[name] ?? {};
    const s: Obj = { ...b, ...o };
    if (b.environment || o.environment) s.environment = { ...b.environment, ...o.environment };
    if (b.depends_on || o.depends_on)
      s.depends_on = [...new Set([...names(b.depends_on), ...names(o.depends_on)])];
    if (b.volumes || o.volumes) {
      const target = (v: unknown) => String(v).split(':')[1];
      const mounts = new Map<string, unknown>();
      for (const v of [...(b.volumes ?? []), ...(o.volumes ?? [])]) mounts.set(target(v)!, v);
      s.volumes = [...mounts.values()];
    }
    services[name] = s;
  }
  return { ...base, services, volumes: { ...base.volumes, ...override.volumes } };
}

describe.each([
  ['docker-compose.yml', composeFile('docker-compose.yml')],
  [
    'docker-compose.yml + docker-compose.ha.yml',
    composeMerge(composeFile('docker-compose.yml'), composeFile('docker-compose.ha.yml')),
  ],
])('%s', (_files, compose: Obj) => {
  it('every service is defined, depends on defined services and uses declared volumes', () => {
    const defined = Object.keys(compose.services);
    expect(defined).toEqual(
      expect.arrayContaining([
        'nats',
        'redis',
        'simulator',
        'session',
        'history',
        'media',
        'gateway',
      ]),
    );
    for (const [name, s] of Object.entries<Obj>(compose.services)) {
      expect(s.image ?? s.build, name).toBeDefined();
      for (const d of names(s.depends_on)) expect(defined, `${name} depends on ${d}`).toContain(d);
      for (const v of s.volumes ?? []) {
        const source = String(v).split(':')[0]!;
        if (!source.startsWith('.') && !source.startsWith('/'))
          expect(Object.keys(compose.volumes ?? {}), `${name} volume`).toContain(source);
        else expect(existsSync(join(REPO_ROOT, source)), `${name} mounts ${source}`).toBe(true);
      }
    }
  });

  it("every cqfleet service's environment passes its configuration schema", () => {
    for (const [name, s] of Object.entries<Obj>(compose.services)) {
      const env = s.environment as Record<string, string> | undefined;
      if (!env?.SERVICE) continue;
      const { SERVICE, ...settings } = env;
      expect(() => CONFIG[SERVICE]!(settings), name).not.toThrow();
    }
  });

  it('opens no door by default: loopback ports, required tokens, bounded history', () => {
    for (const file of ['docker-compose.yml', 'docker-compose.ha.yml'])
      expect(readFileSync(join(REPO_ROOT, file), 'utf8')).not.toMatch(/change-me/);
    for (const [name, s] of Object.entries<Obj>(compose.services))
      for (const port of (s.ports ?? []) as string[])
        expect(port, `${name} publishes ${port}`).toMatch(/^127\.0\.0\.1:/);
    const gateway = compose.services.gateway.environment as Record<string, string>;
    for (const key of ['GATEWAY_ACCESS_TOKEN', 'GATEWAY_ADMIN_TOKEN'])
      expect(gateway[key], key).toMatch(new RegExp(`^\\$\\{${key}:\\?`));
    const history = compose.services.history.environment as Record<string, string>;
    expect(Number(history.HISTORY_MAX_AGE_S)).toBeGreaterThan(0);
  });
});

describe('docker-compose.ha.yml (no single point of failure, issue 18)', () => {
  const compose = composeMerge(
    composeFile('docker-compose.yml'),
    composeFile('docker-compose.ha.yml'),
  );
  const services = Object.entries<Obj>(compose.services);
  const cqfleet = services.filter(
    ([, s]) => s.environment?.SERVICE && s.environment.SERVICE !== 'simulator',
  );
  /** `--flag=value` of a NATS server's command line. */
  const flag = (s: Obj, name: string) =>
    (s.command as string[]).find(a => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const nats = services.filter(([, s]) => String(s.image).startsWith('nats:'));
  const script = (s: Obj) => (Array.isArray(s.command) ? String(s.command[1]) : '');
  const redis = services.filter(([, s]) => script(s) === '/config/start-redis.sh');
  const sentinels = services.filter(([, s]) => script(s) === '/config/start-sentinel.sh');
  const file = (name: string) => readFileSync(join(REPO_ROOT, 'deploy/compose', name), 'utf8');
  const volumeOf = (s: Obj) =>
    (s.volumes as string[]).find(v => v.endsWith(':/data'))?.split(':')[0];

  it('NATS: three servers in one cluster with JetStream, each with its own name and volume', () => {
    expect(nats.map(([name]) => name)).toHaveLength(3);
    for (const [name, s] of nats) {
      expect(s.command, name).toContain('-js');
      expect(flag(s, 'name'), name).toBe(name);
      expect(flag(s, 'cluster_name'), name).toBe('cqfleet');
      expect(flag(s, 'cluster'), name).toBe('nats://0.0.0.0:6222');
      expect(flag(s, 'routes')?.split(',').sort(), name).toEqual(
        nats.map(([n]) => `nats://${n}:6222`).sort(),
      );
      expect(flag(s, 'store_dir'), name).toBe('/data');
    }
    const volumes = nats.map(([, s]) => volumeOf(s));
    expect(new Set(volumes).size, 'a volume per server').toBe(3);
  });

  it('Redis: a primary, its replica and three Sentinels that name hosts', () => {
    expect(redis).toHaveLength(2);
    const [primary, replica] = [...redis].sort(
      ([, a], [, b]) => a.command.length - b.command.length,
    );
    expect(primary![1].command.slice(2)).toEqual([primary![0]]);
    expect(replica![1].command.slice(2)).toEqual([replica![0], primary![0]]);
    expect(file('start-redis.sh')).toMatch(/replicaof \$primary 6379/);
    expect(file('start-redis.sh')).toMatch(/replica-announce-ip \$self/);
    expect(file('redis.conf')).toMatch(/^appendonly yes$/m);
    expect(sentinels).toHaveLength(3);
    for (const [name, s] of sentinels) {
      // <self> <first primary> <every Sentinel>
      expect(s.command.slice(2), name).toEqual([name, primary![0], ...sentinels.map(([n]) => n)]);
    }
    const sentinel = file('sentinel.conf');
    expect(sentinel).toMatch(/^sentinel resolve-hostnames yes$/m);
    expect(sentinel).toMatch(/^sentinel announce-hostnames yes$/m);
    expect(sentinel).toMatch(/^sentinel announce-ip @SELF@$/m);
    expect(sentinel).toMatch(/^port 26379$/m);
    expect(sentinel).toMatch(/^sentinel monitor cqfleet @MASTER@ 6379 2$/m);
    // A Sentinel that starts afresh asks the others for the primary of that name.
    expect(file('start-sentinel.sh')).toMatch(/get-master-addr-by-name cqfleet\b/);
    const volumes = [...redis, ...sentinels].map(([, s]) => volumeOf(s));
    expect(new Set(volumes).size, 'a volume per node').toBe(5);
  });

  it('every cqfleet service uses all three NATS servers, three stream copies and the Sentinels', () => {
    expect(cqfleet.map(([name]) => name).sort()).toEqual([
      'gateway',
      'history',
      'media',
      'session',
    ]);
    const master = /^sentinel monitor (\S+) /m.exec(file('sentinel.conf'))![1];
    for (const [name, s] of cqfleet) {
      const env = s.environment as Record<string, string>;
      expect(env.CQFLEET_NATS_URL?.split(',').sort(), name).toEqual(
        nats.map(([n]) => `nats://${n}:4222`).sort(),
      );
      expect(env.CQFLEET_STREAM_REPLICAS, name).toBe('3');
      expect(env.CQFLEET_REDIS_SENTINELS?.split(','), name).toEqual(
        sentinels.map(([n]) => `${n}:26379`),
      );
      expect(env.CQFLEET_REDIS_MASTER, name).toBe(master);
      expect(env.CQFLEET_REDIS_URL, name).toBe('');
      for (const [dep] of [...nats, ...redis, ...sentinels])
        expect(s.depends_on, `${name} depends on ${dep}`).toContain(dep);
    }
  });
});

describe('Dockerfile', () => {
  it('the image is built by the multi-stage Dockerfile the compose file names', () => {
    const dockerfile = readFileSync(join(REPO_ROOT, dirname('Dockerfile'), 'Dockerfile'), 'utf8');
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/npm prune --omit=dev/);
  });
});

describe('deploy/upstream/compose.yml (cqfleet in front of NapCat / Lagrange)', () => {
  const base = parse(readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8'), {
    merge: true,
  }) as Obj;
  const override = parse(readFileSync(join(REPO_ROOT, 'deploy/upstream/compose.yml'), 'utf8'), {
    merge: true,
  }) as Obj;
  const register = override.services['register-accounts'] as Obj;
  const script = String((register.command as string[])[0]);

  it('extends the base file: what it depends on exists in one of the two', () => {
    const names = [...Object.keys(base.services), ...Object.keys(override.services)];
    for (const [name, s] of Object.entries<Obj>(override.services)) {
      expect(s.image, name).toBeDefined();
      for (const d of s.depends_on ?? []) expect(names, `${name} depends on ${d}`).toContain(d);
    }
  });

  it("registers accounts through the gateway's admin API as the base file configures it", () => {
    const gateway = base.services.gateway.environment as Record<string, string>;
    expect(register.environment.ADMIN).toBe(`http://gateway:${gateway.GATEWAY_ADMIN_PORT}`);
    expect(register.environment.ADMIN_TOKEN).toBe(gateway.GATEWAY_ADMIN_TOKEN);
  });

  it('each registered account is a valid onebot record: forward to an upstream of the file, or reverse', () => {
    const puts = [...script.matchAll(/^\s*put (\d+) '(.+)'$/gm)];
    expect(puts.length).toBe(2);
    const modes: string[] = [];
    for (const [, uin, body] of puts) {
      // The shell splices the token in; any token will do for the shape.
      const json = body!.replace(`'"$$UPSTREAM_TOKEN"'`, 'secret');
      const record = AccountRecord.parse({ uin: Number(uin), ...JSON.parse(json) });
      expect(record.driver).toBe('onebot');
      expect(driverOptionsProblem(record)).toBeUndefined();
      const options = UpstreamOptions.parse(record.options);
      modes.push(options.mode);
      if (options.mode === 'forward')
        expect(Object.keys(override.services)).toContain(new URL(String(options.url)).hostname);
    }
    expect(modes.sort()).toEqual(['forward', 'reverse']);
  });

  it("ships each upstream's own settings, agreeing with the records and the gateway", () => {
    const token = String(register.environment.UPSTREAM_TOKEN);
    const records = new Map(
      [...script.matchAll(/^\s*put (\d+) '(.+)'$/gm)].map(([, uin, body]) => [
        Number(uin),
        UpstreamOptions.parse(
          (JSON.parse(body!.replace(`'"$$UPSTREAM_TOKEN"'`, token)) as { options: unknown })
            .options,
        ),
      ]),
    );
    // NapCat (forward): its WebSocket server is where the record points, with the token, and
    // reports the account's own messages.
    const napcat = JSON.parse(
      readFileSync(join(REPO_ROOT, 'deploy/upstream/napcat/onebot11_3001.json'), 'utf8'),
    ) as { network: { websocketServers: Array<Record<string, unknown>> } };
    const server = napcat.network.websocketServers.find(s => s.enable === true)!;
    const forward = records.get(3001)!;
    expect(new URL(forward.url!).port).toBe(String(server.port));
    expect(server.token).toBe(forward.token);
    expect(server.reportSelfMessage).toBe(true);
    // Lagrange (reverse): it connects to the gateway's WebSocket port at /upstream as 3002.
    const lagrange = JSON.parse(
      readFileSync(join(REPO_ROOT, 'deploy/upstream/lagrange/appsettings.json'), 'utf8'),
    ) as {
      Account: { Uin: number };
      Message: { IgnoreSelf: boolean };
      Implementations: Array<Record<string, unknown>>;
    };
    const client = lagrange.Implementations.find(i => i.Type === 'ReverseWebSocket')!;
    const reverse = records.get(lagrange.Account.Uin)!;
    expect(reverse.mode).toBe('reverse');
    expect(client).toMatchObject({
      Host: 'gateway',
      Suffix: '/upstream',
      AccessToken: reverse.token,
    });
    expect(base.services.gateway.ports).toContain(
      `127.0.0.1:${String(client.Port)}:${String(client.Port)}`,
    );
    expect(lagrange.Message.IgnoreSelf).toBe(false);
    // The compose file mounts these directories into the containers.
    expect(override.services['napcat-3001'].volumes).toContain(
      './deploy/upstream/napcat:/app/napcat/config',
    );
    expect(override.services['lagrange-3002'].volumes).toContain(
      './deploy/upstream/lagrange:/app/data',
    );
  });
});
