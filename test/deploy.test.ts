/**
 * The deployment files, checked offline (issue 7, points 5 and 6): every Kubernetes object of
 * each overlay against the Kubernetes (and KEDA) schemas with `kubernetes-models`, the shape
 * the cluster relies on (probes on the real health endpoints, resources, disruption budgets,
 * selectors, the media autoscaler reading the BullMQ wait list), and every service's settings in
 * the manifests and in docker-compose.yml parsed by that service's own configuration schema.
 *
 * No kustomize binary here: `build` below understands what these overlays use (resources,
 * namespace, images, strategic-merge patches of a Deployment's replicas and container env).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
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

/** A Deployment patch: replicas, and container env entries replaced or added by name. */
function patchDeployment(target: Obj, patch: Obj): void {
  if (patch.spec?.replicas !== undefined) target.spec.replicas = patch.spec.replicas;
  for (const c of patch.spec?.template?.spec?.containers ?? []) {
    const container = target.spec.template.spec.containers.find((t: Obj) => t.name === c.name);
    if (!container) throw new Error(`patch names no container ${c.name}`);
    for (const e of c.env ?? []) {
      container.env = (container.env ?? []).filter((x: Obj) => x.name !== e.name).concat(e);
    }
  }
}

function build(dir: string): Obj[] {
  const k = parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as Obj;
  let objects: Obj[] = [];
  for (const r of k.resources ?? []) {
    const path = join(dir, r);
    objects.push(...(r.endsWith('.yaml') ? yamlDocs(path) : build(path)));
  }
  for (const p of k.patches ?? []) {
    const target = objects.find(o => o.kind === p.target.kind && o.metadata.name === p.target.name);
    if (!target) throw new Error(`${dir}: patch target ${p.target.kind}/${p.target.name} missing`);
    patchDeployment(target, parse(readFileSync(join(dir, p.path), 'utf8')) as Obj);
  }
  for (const img of k.images ?? [])
    for (const o of objects)
      for (const c of o.spec?.template?.spec?.containers ?? [])
        if (c.image === img.name || c.image.startsWith(`${img.name}:`))
          c.image = `${img.newName ?? img.name}:${img.newTag}`;
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
        expect(c.resources?.requests?.cpu, w.metadata.name).toBeDefined();
        expect(c.resources?.limits?.memory, w.metadata.name).toBeDefined();
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

describe('docker-compose.yml', () => {
  // `<<:` merge keys are how the file shares the service template.
  const compose = parse(readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8'), {
    merge: true,
  }) as Obj;

  it('every service is defined, depends on defined services and uses declared volumes', () => {
    const names = Object.keys(compose.services);
    expect(names).toEqual(
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
      for (const d of s.depends_on ?? []) expect(names, `${name} depends on ${d}`).toContain(d);
      for (const v of s.volumes ?? []) {
        const source = String(v).split(':')[0]!;
        if (!source.startsWith('.') && !source.startsWith('/'))
          expect(Object.keys(compose.volumes ?? {}), `${name} volume`).toContain(source);
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
    const text = readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8');
    expect(text).not.toMatch(/change-me/);
    for (const [name, s] of Object.entries<Obj>(compose.services))
      for (const port of (s.ports ?? []) as string[])
        expect(port, `${name} publishes ${port}`).toMatch(/^127\.0\.0\.1:/);
    const gateway = compose.services.gateway.environment as Record<string, string>;
    for (const key of ['GATEWAY_ACCESS_TOKEN', 'GATEWAY_ADMIN_TOKEN'])
      expect(gateway[key], key).toMatch(new RegExp(`^\\$\\{${key}:\\?`));
    const history = compose.services.history.environment as Record<string, string>;
    expect(Number(history.HISTORY_MAX_AGE_S)).toBeGreaterThan(0);
  });

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
