/**
 * A newcomer's machine, played with a restricted PATH (issue 21): no redis-server, no
 * nats-server, and an `apt-get` stand-in that records what it was asked and "installs" a
 * package by linking the real binary into that PATH. Checks scripts/system-deps.sh (one-line
 * notice and install as root; the exact packages named where it cannot install) and `npm start`
 * itself on such a machine: it installs both servers, starts them, runs the cluster, and stops
 * everything on SIGTERM.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBinary, freePort, probeTcp, REPO_ROOT } from '@cqfleet/devcluster';
import { ocrFixture } from '@cqfleet/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const SCRIPT = join(REPO_ROOT, 'scripts/system-deps.sh');
/** What the script and the devcluster need from the system, besides the servers. */
const TOOLS = ['bash', 'env', 'mktemp', 'tail', 'rm', 'cat'];

let dir: string;
let bin: string;
let aptLog: string;

/** A PATH holding only TOOLS, a fake `id` (uid 0 or 1000) and, unless `apt` is false, apt-get. */
async function machine(opts: { root: boolean; apt: boolean }): Promise<NodeJS.ProcessEnv> {
  for (const tool of TOOLS) await symlink((await findBinary(tool))!, join(bin, tool));
  await script('id', `echo ${opts.root ? 0 : 1000}`);
  if (opts.apt) {
    const redis = (await findBinary('redis-server'))!;
    const nats = (await findBinary('nats-server'))!;
    const ln = (await findBinary('ln'))!;
    await script(
      'apt-get',
      [
        `echo "$*" >> ${aptLog}`,
        'if [ "$1" = install ]; then',
        `  for p in "$@"; do case "$p" in redis-server) ${ln} -sf ${redis} ${bin}/redis-server;; nats-server) ${ln} -sf ${nats} ${bin}/nats-server;; esac; done`,
        'fi',
      ].join('\n'),
    );
  }
  return { PATH: bin, CQFLEET_DEV_SBIN_DIRS: '', HOME: dir, TMPDIR: dir };
}

async function script(name: string, body: string): Promise<void> {
  await writeFile(join(bin, name), `#!${(await findBinary('bash'))!}\n${body}\n`);
  await chmod(join(bin, name), 0o755);
}

function run(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise(resolve => {
    const child = spawn(`${bin}/bash`, args, { env });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.once('exit', code => resolve({ code, stderr, stdout }));
  });
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cqfleet-fresh-'));
  bin = join(dir, 'bin');
  aptLog = join(dir, 'apt.log');
  await mkdir(bin);
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('scripts/system-deps.sh', () => {
  it('as root on Debian: one-line notice, apt-get update and install of exactly what is missing', async () => {
    const env = await machine({ root: true, apt: true });
    const res = await run([SCRIPT, 'redis-server', 'nats-server'], env);
    expect(res.code).toBe(0);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).toMatch(/^cqfleet: installing redis-server nats-server \(apt-get/);
    const asked = (await readFile(aptLog, 'utf8')).trim().split('\n');
    expect(asked[0]).toMatch(/^update/);
    expect(asked[1]).toMatch(/^install -y .*redis-server nats-server$/);
    // Now present: nothing to do, nothing printed, apt-get not asked again.
    const again = await run([SCRIPT, 'redis-server', 'nats-server'], env);
    expect(again).toMatchObject({ code: 0, stderr: '' });
    expect((await readFile(aptLog, 'utf8')).trim().split('\n')).toHaveLength(2);
  });

  it('not root (no sudo): names the exact packages and exits 2', async () => {
    const env = await machine({ root: false, apt: true });
    const res = await run([SCRIPT, 'redis-server', 'nats-server'], env);
    expect(res.code).toBe(2);
    expect(res.stderr.trim()).toBe(
      'cqfleet needs redis-server nats-server, which this machine lacks: install sudo apt-get install -y redis-server nats-server',
    );
  });

  it('not Debian (no apt-get): names the packages', async () => {
    const env = await machine({ root: true, apt: false });
    const res = await run([SCRIPT, 'nats-server'], env);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain("install your system's packages: nats-server");
  });
});

describe('npm start on a machine without Redis and NATS', () => {
  let cli: ChildProcess | undefined;
  afterEach(() => {
    try {
      if (cli?.exitCode === null && cli.signalCode === null) process.kill(-cli.pid!, 'SIGKILL');
    } catch {
      // the group has ended
    }
  });

  /**
   * Starts `npm start`'s program on the played machine, on free ports (under `sh` when
   * `underShell`, as npm runs it). `running` resolves once it says so.
   */
  async function startCli(extra: NodeJS.ProcessEnv = {}, underShell = false) {
    const env = await machine({ root: true, apt: true });
    const [redisPort, natsPort, http, ws, sim, history, admin] = (await Promise.all(
      Array.from({ length: 7 }, () => freePort()),
    )) as [number, number, number, number, number, number, number];
    const cliPath = join(REPO_ROOT, 'packages/devcluster/dist/cli.js');
    const [command, args] = underShell
      ? ['/bin/sh', ['-c', `"${process.execPath}" "${cliPath}"; true`]]
      : [process.execPath, [cliPath]];
    const child = spawn(command, args, {
      env: {
        ...env,
        CQFLEET_REDIS_URL: `redis://127.0.0.1:${redisPort}`,
        CQFLEET_NATS_URL: `nats://127.0.0.1:${natsPort}`,
        CQFLEET_NAMESPACE: `fresh${natsPort}`,
        CQFLEET_DEV_DATA_DIR: join(dir, 'data'),
        CQFLEET_DEV_QUIET: '1',
        // Exported service variables win over npm start's own.
        GATEWAY_HTTP_PORT: String(http),
        GATEWAY_WS_PORT: String(ws),
        SIM_PORT: String(sim),
        HISTORY_GRPC_PORT: String(history),
        GATEWAY_ADMIN_PORT: String(admin),
        ...extra,
      },
      // Its own process group, as in a terminal: Ctrl-C signals the whole group.
      detached: true,
    });
    cli = child;
    const output = { text: '' };
    child.stdout.on('data', (d: Buffer) => (output.text += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output.text += d.toString()));
    const exited = new Promise<number | null>(resolve => child.once('exit', resolve));
    const running = new Promise<boolean>(resolve => {
      const timer = setTimeout(() => resolve(false), 60_000);
      child.stdout.on('data', () => {
        if (!output.text.includes('cqfleet is running')) return;
        clearTimeout(timer);
        resolve(true);
      });
      void exited.then(() => resolve(false));
    });
    return { child, output, exited, running, ports: { redisPort, natsPort, http, sim } };
  }

  it('installs both servers, starts them and the cluster, and stops it all on Ctrl-C', async () => {
    const { child, output, exited, running, ports } = await startCli();
    expect(await running, output.text).toBe(true);
    expect(output.text).toContain('cqfleet: installing redis-server nats-server (apt-get');
    expect(output.text).toContain(`HTTP API      http://127.0.0.1:${ports.http}`);
    expect(output.text).toMatch(/NATS .* \(started from .*\/bin\/nats-server\)/);
    const answer = await fetch(`http://127.0.0.1:${ports.http}/10001/get_login_info`);
    expect(await answer.json()).toMatchObject({ status: 'ok', data: { user_id: 10001 } });

    // Ctrl-C: SIGINT to the terminal's process group; everything stops, the ports are free.
    const stopping = Date.now();
    process.kill(-child.pid!, 'SIGINT');
    expect(await exited).toBe(0);
    expect(Date.now() - stopping).toBeLessThan(5_000);
    for (const port of Object.values(ports)) expect(await probeTcp('127.0.0.1', port)).toBe(false);
  }, 90_000);

  it('a service that cannot start: npm start says why, exits 1, and stops the servers it started', async () => {
    const { output, exited, running, ports } = await startCli({ GATEWAY_NO_SUCH_SETTING: '1' });
    expect(await running).toBe(false);
    expect(await exited).toBe(1);
    expect(output.text).toMatch(/gateway exited with code 1 before it was ready/);
    expect(output.text).toContain('unknown setting(s): GATEWAY_NO_SUCH_SETTING');
    for (const port of Object.values(ports)) expect(await probeTcp('127.0.0.1', port)).toBe(false);
  }, 90_000);

  async function allClosed(ports: Record<string, number>): Promise<void> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const open = [];
      for (const [name, port] of Object.entries(ports))
        if (await probeTcp('127.0.0.1', port)) open.push(name);
      if (open.length === 0) return;
      if (Date.now() > deadline) throw new Error(`still listening: ${open.join(', ')}`);
      await new Promise(r => setTimeout(r, 200));
    }
  }

  it('killed with SIGKILL: everything it ran is stopped by the reaper', async () => {
    const { child, running, ports } = await startCli();
    expect(await running).toBe(true);
    process.kill(child.pid!, 'SIGKILL');
    await allClosed(ports);
  }, 90_000);

  it('its parent (npm) killed with SIGKILL: it notices and stops everything', async () => {
    const { child, running, ports, output } = await startCli({}, true);
    expect(await running).toBe(true);
    process.kill(child.pid!, 'SIGKILL'); // the shell, as npm would be
    await allClosed(ports);
    expect(output.text).toContain('the process that started cqfleet is gone');
  }, 90_000);

  it('what the user exported wins: its file roots let a bot send a file from there', async () => {
    const pictures = join(dir, 'pictures');
    await mkdir(pictures);
    await writeFile(join(pictures, 'pic.png'), ocrFixture('en').png);
    const roots = { MEDIA_FILE_ROOTS: pictures };
    const { running, ports } = await startCli(roots);
    expect(await running).toBe(true);
    const api = `http://127.0.0.1:${ports.http}/10001`;
    const sent = (await (
      await fetch(`${api}/send_group_msg`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          group_id: 100100,
          message: `[CQ:image,file=file://${pictures}/pic.png]`,
        }),
      })
    ).json()) as { status: string; data: { message_id: number } };
    expect(sent.status).toBe('ok');
    const got = (await (
      await fetch(`${api}/get_msg?message_id=${sent.data.message_id}`)
    ).json()) as { data: { message: string } };
    // An image, not the literal CQ code of a file that could not be read.
    expect(got.data.message).toMatch(/^\[CQ:image,file=[0-9a-f]{32}\.image/);
  }, 90_000);
});
