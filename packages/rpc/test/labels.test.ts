/**
 * Metric labels of served actions come from closed sets (labels.ts): an upstream account
 * forwards unknown action names as given and keeps its own failure tags and retcodes, and each
 * new label value would be a series kept until the process ends.
 */
import { OneBotError } from '@cqfleet/onebot';
import { metricsRegistry } from '@cqfleet/runtime';
import { describe, expect, it } from 'vitest';
import { runAction } from '@cqfleet/rpc';
import { actionRequest, log } from './harness.js';

const req = actionRequest;

async function series(name: string): Promise<Array<Partial<Record<string, string | number>>>> {
  const metric = metricsRegistry.getSingleMetric(name);
  return metric ? (await metric.get()).values.map(v => v.labels) : [];
}

const count = async (name: string) => (await series(name)).length;

describe('rpc - metric labels', () => {
  it('distinct unknown actions and upstream tags and retcodes add no series', async () => {
    const upstream = (n: number) =>
      OneBotError.fromFailure(500 + n, `UPSTREAM_TAG_${n}`, `上游失败 ${n}`);
    const serve = (n: number) =>
      runAction(
        req(`vendor_action_${n}_${'x'.repeat(n)}`),
        async () => {
          throw upstream(n);
        },
        log,
        1_000,
      );
    await serve(0);
    const before = await count('cqfleet_actions_total');
    const seconds = await count('cqfleet_action_seconds');
    for (let n = 1; n <= 50; n++) await serve(n);
    expect(await count('cqfleet_actions_total')).toBe(before);
    expect(await count('cqfleet_action_seconds')).toBe(seconds);
    expect(await series('cqfleet_actions_total')).toContainEqual({
      action: 'unknown',
      retcode: 'other',
      result: 'other',
    });
  });

  it('actions in the table and tags in the catalogue keep their names', async () => {
    await runAction(
      req('send_group_msg'),
      async () => {
        throw new OneBotError('GROUP_NOT_FOUND');
      },
      log,
      1_000,
    );
    await runAction(req('get_login_info'), async () => ({}), log, 1_000);
    const labels = await series('cqfleet_actions_total');
    expect(labels).toContainEqual({
      action: 'send_group_msg',
      retcode: '100',
      result: 'GROUP_NOT_FOUND',
    });
    expect(labels).toContainEqual({ action: 'get_login_info', retcode: '0', result: 'ok' });
  });
});
