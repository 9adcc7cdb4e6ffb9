/**
 * What the deployment tests share (deploy-k8s, deploy-k8s-ha and deploy-compose .test.ts): the
 * Kubernetes and KEDA schemas of the kinds the overlays hold (`kubernetes-models`), each service's
 * own configuration schema, an offline `kustomize build`, a container's environment as its service
 * sees it, and the Compose merge of `docker-compose.yml` with an override file.
 *
 * No kustomize binary is needed: `build` below understands what these overlays use (resources,
 * components, namespace, labels, images, strategic-merge patches, a secret generator);
 * deploy-k8s.test.ts checks that, where `kubectl` is installed, its `kustomize` renders the same
 * objects.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
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
import { parse, parseAllDocuments } from 'yaml';

/* eslint-disable @typescript-eslint/no-explicit-any -- manifests are untyped YAML */
export type Obj = Record<string, any>;

// Kubernetes.

export const K8S = join(REPO_ROOT, 'deploy/k8s');
/** The schema of each kind the overlays hold. */
export const MODELS: Record<string, new (o: any) => { validate(): void }> = {
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
/** Each service's own configuration schema (its `loadConfig`), by the name in `SERVICE`. */
export const CONFIG: Record<string, (env: Record<string, string>) => unknown> = {
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
export const podContainers = (o: Obj): Obj[] => [
  ...(o.spec?.template?.spec?.initContainers ?? []),
  ...(o.spec?.template?.spec?.containers ?? []),
];

/** The object of that kind and name. */
export const find = (objects: Obj[], kind: string, name: string): Obj | undefined =>
  objects.find(o => o.kind === kind && o.metadata.name === name);

/** Whether a label selector's `matchLabels` selects a workload's pods. */
export const selects = (matchLabels: Record<string, string> | undefined, w: Obj): boolean =>
  matchLabels !== undefined &&
  Object.keys(matchLabels).length > 0 &&
  Object.entries(matchLabels).every(([k, v]) => w.spec.template.metadata.labels?.[k] === v);

/** The ConfigMap key a container reads at `path` (a ConfigMap volume mounted at its directory). */
export function mountedFile(
  w: Obj,
  container: Obj,
  path: string,
  objects: Obj[],
): string | undefined {
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
export function build(dir: string, inherited: Obj[] = []): Obj[] {
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
export function envOf(container: Obj, objects: Obj[]): Record<string, string> {
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

/** The Deployments and StatefulSets. */
export const workloads = (objects: Obj[]) =>
  objects.filter(o => o.kind === 'Deployment' || o.kind === 'StatefulSet');

// Compose.

/** A compose file of the repository, parsed. */
export const composeFile = (file: string): Obj =>
  // `<<:` merge keys are how the files share a service's template.
  parse(readFileSync(join(REPO_ROOT, file), 'utf8'), { merge: true }) as Obj;

/** A compose list or mapping of names (`depends_on`) as names. */
export const names = (v: unknown): string[] =>
  Array.isArray(v) ? v.map(String) : isMap(v) ? Object.keys(v) : [];

/**
 * `docker compose -f base -f override` (the Compose specification's merge): mappings merge;
 * `command` and `entrypoint` are replaced; `depends_on` accumulates; `volumes` merge on the
 * path they are mounted at.
 */
export function composeMerge(base: Obj, override: Obj): Obj {
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
