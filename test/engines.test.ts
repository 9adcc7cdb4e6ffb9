/**
 * The Node versions the repository promises (`engines.node` in the root package.json) against
 * what its locked dependencies declare. npm only warns (`EBADENGINE`) when a dependency wants a
 * newer Node than the one installing it, so a dependency update can quietly raise the real
 * minimum; this test turns that warning into a failure. A fresh machine's first command,
 * `npm ci`, then prints no engine warning on the oldest Node we claim to support.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '@cqfleet/devcluster';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

interface LockedPackage {
  version?: string;
  engines?: { node?: string } | string[];
}

const readJson = (file: string): unknown => JSON.parse(readFileSync(join(REPO_ROOT, file), 'utf8'));
const root = readJson('package.json') as { engines: { node: string } };
const lock = readJson('package-lock.json') as { packages: Record<string, LockedPackage> };

/** The Node range a locked package declares, if it declares one in the object form npm reads. */
const nodeRange = (p: LockedPackage): string | undefined =>
  p.engines !== undefined && !Array.isArray(p.engines) ? p.engines.node : undefined;

describe('Node engines', () => {
  const claimed = root.engines.node;
  const oldest = semver.minVersion(claimed);

  it('the root names a valid range, and this Node is inside it', () => {
    expect(oldest, claimed).not.toBeNull();
    expect(semver.satisfies(process.version, claimed), `${process.version} in ${claimed}`).toBe(
      true,
    );
  });

  it('every locked dependency accepts the oldest Node the root claims', () => {
    const refused: string[] = [];
    for (const [path, p] of Object.entries(lock.packages)) {
      const range = nodeRange(p);
      if (path === '' || range === undefined) continue;
      if (!semver.satisfies(oldest!, range)) refused.push(`${path}@${p.version}: ${range}`);
    }
    expect(refused, `these want a newer Node than ${oldest?.version}`).toEqual([]);
  });
});
