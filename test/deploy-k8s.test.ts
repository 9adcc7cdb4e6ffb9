/**
 * The Kubernetes overlays, demo and production, checked offline (issue 7, points 5 and 6): every
 * object against the Kubernetes (and KEDA) schemas with `kubernetes-models`, the offline render
 * against `kubectl kustomize` where kubectl is installed, the shape the cluster relies on (probes
 * on the real health endpoints, resources, disruption budgets, selectors, the media autoscaler
 * reading the BullMQ wait list), no usable token shipped, and every service's settings parsed by
 * that service's own configuration schema. The production overlay's high availability is checked
 * in deploy-k8s-ha.test.ts; the renderer and helpers are in deploy-support.ts.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Namespace } from '@cqfleet/contracts';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import {
  build,
  CONFIG,
  envOf,
  K8S,
  MODELS,
  type Obj,
  podContainers,
  workloads,
} from './deploy-support.js';

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
