/**
 * `npm run bench -- accounts`: what an online account costs a session worker. One worker
 * starts with one account; then BENCH_ACCOUNTS − 1 more are added to the registry at once (as
 * the admin API does) and the worker brings them online (a lease, a driver login, an event
 * pipeline each). Reported: the time until all are online, and the worker's resident memory
 * per idle online account (RSS after − RSS before, over the accounts added, after a GC-quiet
 * pause), with the whole worker's RSS for scale.
 */
import { readFile } from 'node:fs/promises';
import { AccountRecord, Namespace } from '@cqfleet/contracts';
import { writeWorld } from '@cqfleet/devcluster';
import { AccountRegistry, connectNats, connectRedis, createLogger } from '@cqfleet/runtime';
import { startBenchCluster } from './cluster.js';
import { accountsOnline } from './scrape.js';
import { type Report, table } from './stats.js';

export interface AccountsBenchOptions {
  natsUrl: string;
  redisUrl: string;
  accounts: number;
  /** A shorter idle wait before the memory is measured. */
  quick: boolean;
}

async function rssOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  return Number(kb) * 1024;
}

const MB = 1024 * 1024;

export async function accountsBench(o: AccountsBenchOptions): Promise<Report> {
  const uins = Array.from({ length: o.accounts }, (_, i) => 50001 + i);
  const world = await writeWorld({
    accounts: uins.map(uin => ({ user_id: uin, nickname: `bot ${uin}` })),
    people: [{ user_id: 20001, nickname: 'someone' }],
  });
  const cluster = await startBenchCluster(`bench-accounts-${process.pid}`, o, {
    world,
    accounts: uins.slice(0, 1),
  });
  const log = createLogger('bench', 'warn');
  const nc = await connectNats(o.natsUrl, 'bench', log);
  const redis = connectRedis(o.redisUrl, 'bench', log);
  try {
    const session = cluster.services.find(s => s.name === 'session-1')!;
    const pid = session.child.pid!;
    const admin = session.ready.admin;
    while ((await accountsOnline(admin)) < 1) await new Promise(r => setTimeout(r, 50));
    await new Promise(r => setTimeout(r, 2_000));
    const before = await rssOf(pid);

    const registry = new AccountRegistry(redis, nc, new Namespace(cluster.options.namespace));
    const simulator = cluster.simulatorUrl;
    const started = performance.now();
    await registry.addMissing(
      uins
        .slice(1)
        .map(uin => AccountRecord.parse({ uin, driver: 'simulator', options: { url: simulator } })),
    );
    let n = 0;
    while ((n = await accountsOnline(admin)) < o.accounts) {
      if (performance.now() - started > 300_000) throw new Error(`only ${n} online after 300 s`);
      await new Promise(r => setTimeout(r, 100));
    }
    const seconds = (performance.now() - started) / 1000;
    // Idle: let start-up garbage be collected before measuring.
    await new Promise(r => setTimeout(r, o.quick ? 3_000 : 5_000));
    const after = await rssOf(pid);
    const perAccount = (after - before) / (o.accounts - 1);
    const markdown = [
      '## Accounts',
      '',
      `One session worker; ${o.accounts - 1} accounts added to the registry at once after the first was online.`,
      '',
      table(
        ['figure', 'value', 'target'],
        [
          [
            `time for ${o.accounts - 1} accounts to come online`,
            `${seconds.toFixed(1)} s`,
            '≤ 30 s for 1,000',
          ],
          [
            'resident memory per idle online account',
            `${(perAccount / 1024).toFixed(0)} KiB`,
            '≤ 1 MB',
          ],
          ['worker RSS with 1 account', `${(before / MB).toFixed(0)} MiB`, ''],
          [`worker RSS with ${o.accounts} accounts`, `${(after / MB).toFixed(0)} MiB`, ''],
        ],
      ),
    ].join('\n');
    // The targets are for 1,000 accounts; a smaller run (--quick) scales the time linearly.
    const timeBudget = (30 * o.accounts) / 1_000;
    return {
      markdown,
      targets: [
        {
          target: '1,000 accounts online in ≤ 30 s',
          figure: `${o.accounts - 1} online in ${seconds.toFixed(1)} s`,
          met: seconds <= timeBudget,
        },
        {
          target: '≤ 1 MB resident memory per idle online account',
          figure: `${(perAccount / 1024).toFixed(0)} KiB per account at ${o.accounts}`,
          met: perAccount <= MB,
        },
      ],
    };
  } finally {
    await nc.drain().catch(() => undefined);
    redis.disconnect();
    await cluster.stop();
  }
}
