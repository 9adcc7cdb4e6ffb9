/**
 * vitest globalSetup of the integration project: resolves NATS and Redis once for the run and
 * provides their URLs to every test file (read them with `testInfra()`).
 */
import type { TestProject } from 'vitest/node';
import './context.js';
import { resolveTestInfra } from './infra.js';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const infra = await resolveTestInfra();
  console.log(`cqfleet tests: NATS ${infra.natsUrl}, Redis ${infra.redisUrl} (${infra.mode})`);
  project.provide('cqfleetInfra', {
    mode: infra.mode,
    natsUrl: infra.natsUrl,
    redisUrl: infra.redisUrl,
  });
  return () => infra.stop();
}
