/**
 * vitest globalSetup of the integration project: resolves NATS and Redis once for the run and
 * provides their URLs to every test file (read them with `testInfra()`).
 *
 * Every namespace a test takes (`uniqueNamespace`) is written to a file of the run; at the end
 * the run deletes those namespaces' streams and keys. Without it, each run of the suite left a
 * few streams and thousands of keys in a developer's (or CI machine's) servers for good.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropNamespacesData } from '@cqfleet/devcluster';
import type { TestProject } from 'vitest/node';
import './context.js';
import { resolveTestInfra, type TestInfra } from './infra.js';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const infra = await resolveTestInfra();
  console.log(`cqfleet tests: NATS ${infra.natsUrl}, Redis ${infra.redisUrl} (${infra.mode})`);
  const dir = await mkdtemp(join(tmpdir(), 'cqfleet-test-run-'));
  const namespaceLog = join(dir, 'namespaces');
  project.provide('cqfleetInfra', {
    mode: infra.mode,
    natsUrl: infra.natsUrl,
    redisUrl: infra.redisUrl,
  });
  project.provide('cqfleetNamespaceLog', namespaceLog);
  return async () => {
    await dropRunData(infra, namespaceLog);
    await rm(dir, { recursive: true, force: true });
    await infra.stop();
  };
}

/** Deletes the run's namespaces' data; a failure is reported, never failing the run. */
async function dropRunData(infra: TestInfra, namespaceLog: string): Promise<void> {
  const text = await readFile(namespaceLog, 'utf8').catch(() => '');
  const namespaces = text.split('\n').filter(Boolean);
  try {
    const dropped = await dropNamespacesData({ ...infra, namespaces });
    console.log(
      `cqfleet tests: deleted what ${new Set(namespaces).size} test namespaces left: ` +
        `${dropped.streams} streams, ${dropped.keys} Redis keys`,
    );
  } catch (err) {
    console.warn(`cqfleet tests: could not delete the test namespaces' data: ${String(err)}`);
  }
}
