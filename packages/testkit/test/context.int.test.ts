/**
 * uniqueNamespace writes each namespace it hands out to the run's log, which global-setup.ts
 * reads at the end of the run to delete those namespaces' streams and keys.
 */
import { readFileSync } from 'node:fs';
import { expect, inject, it } from 'vitest';
import { uniqueNamespace } from '../src/context.js';

it("writes every namespace it hands out to the run's log, each on a line of its own", () => {
  const names = [uniqueNamespace('logged'), uniqueNamespace()];
  expect(names[0]).toMatch(/^logged-[0-9a-f]{10}$/);
  const lines = readFileSync(inject('cqfleetNamespaceLog'), 'utf8').split('\n');
  for (const name of names) expect(lines).toContain(name);
});
