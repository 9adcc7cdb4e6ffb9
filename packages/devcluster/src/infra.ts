/**
 * Redis and NATS for a local cluster: use the one that answers at the URL, otherwise start one
 * from the local `redis-server` / `nats-server` binary (Debian puts nats-server in /usr/sbin,
 * which is not always on PATH). `installMissingServers` installs the packages first where
 * allowed (`scripts/system-deps.sh`).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { access, constants, mkdtemp } from 'node:fs/promises';
import { connect as tcpConnect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where servers live besides PATH: the sbin directories, which a normal user's PATH lacks.
 * `CQFLEET_DEV_SBIN_DIRS` replaces them (scripts/system-deps.sh reads the same variable; a test
 * empties it to play a machine without the servers).
 */
function sbinDirs(): string[] {
  return (process.env.CQFLEET_DEV_SBIN_DIRS ?? '/usr/local/sbin:/usr/sbin:/sbin').split(delimiter);
}

/** Full path of an executable on PATH or in the sbin directories. */
export async function findBinary(name: string): Promise<string | undefined> {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), ...sbinDirs()].filter(Boolean);
  for (const dir of dirs) {
    const path = join(dir, name);
    try {
      await access(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** True when something accepts TCP connections at host:port within `timeoutMs`. */
export function probeTcp(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise(resolve => {
    const socket = tcpConnect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * The kernel's ephemeral range (outgoing connections take their local port from it). Ports
 * handed to servers that bind them later are picked below it: a port from `listen(0)` is from
 * this range, and between its check and the server's bind an outgoing connection of any
 * process may take it (EADDRINUSE in a child, seen in CI).
 */
function ephemeralLow(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/);
    const n = Number(low);
    return Number.isInteger(n) && n > 0 ? n : 32_768;
  } catch {
    return 32_768;
  }
}

const PICK_FROM = 10_000;
/** Ports this process handed out already, so two calls never return the same one. */
const handedOut = new Set<number>();

function canListen(port: number): Promise<boolean> {
  return new Promise(resolve => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function kernelPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * A free TCP port on the loopback interface, for a server started later (often in another
 * process): a random one below the ephemeral range that nothing listens on and this process
 * has not handed out before; the kernel's choice when that range is too small.
 */
export async function freePort(): Promise<number> {
  const high = ephemeralLow() - 1;
  if (high - PICK_FROM >= 2_000) {
    for (let tries = 0; tries < 50; tries++) {
      const port = PICK_FROM + Math.floor(Math.random() * (high - PICK_FROM + 1));
      if (handedOut.has(port)) continue;
      handedOut.add(port);
      if (await canListen(port)) return port;
    }
  }
  return kernelPort();
}

/**
 * Resolves once something listens on host:port; rejects when `child` ends first (exit code or
 * signal) or after `timeoutMs`, naming `what`.
 */
export async function waitForPort(
  host: string,
  port: number,
  child: ChildProcess,
  what: string,
  timeoutMs = 15_000,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(
        `${what} exited with ${child.signalCode ?? `code ${child.exitCode}`} before listening on ${port}`,
      );
    if (await probeTcp(host, port, 200)) return;
    await new Promise(r => setTimeout(r, 50));
  }
  throw new Error(`${what} did not listen on ${host}:${port} within ${timeoutMs} ms`);
}

export interface InfraProcess {
  url: string;
  /** How it was obtained: already running, or started here from a binary. */
  origin: 'running' | 'started';
  binary?: string;
  stop(): Promise<void>;
}

/**
 * Every child process still running, killed when this process exits (one `exit` listener for
 * all: a test with two clusters runs a dozen services).
 */
const living = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of living) child.kill('SIGKILL');
});

/** A process exit listener cannot run when this process is killed: the reaper (reaper.ts) does. */
let reaper: ChildProcess | undefined;
function reap(line: string): void {
  if (!reaper) {
    // From src/ (tests run the sources) and dist/ alike: the built reaper.
    const script = fileURLToPath(new URL('../dist/reaper.js', import.meta.url));
    reaper = spawn(process.execPath, [script], {
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    reaper.on('error', () => undefined);
    reaper.stdin!.on('error', () => undefined);
    // Neither the reaper nor the pipe to it keeps this process alive.
    reaper.unref();
    (reaper.stdin as unknown as { unref(): void }).unref();
  }
  reaper.stdin!.write(`${line}\n`);
}

/**
 * Spawns a server or service in its own process group, so that a Ctrl-C in the terminal
 * reaches only the supervisor, which stops everything in order (Redis and NATS last). It is
 * killed when the supervisor exits, and stopped by the reaper when the supervisor is killed.
 */
export function spawnOwned(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; stdio: 'ignore' | ['ignore', 'pipe', 'pipe'] },
): ChildProcess {
  const child = spawn(command, args, { ...options, detached: true });
  living.add(child);
  const pgid = child.pid;
  if (pgid !== undefined) reap(`+${pgid}`);
  child.once('exit', () => {
    living.delete(child);
    if (pgid !== undefined) reap(`-${pgid}`);
  });
  return child;
}

/** Resolves once `child` has ended (at once when it already has). */
export function exited(child: ChildProcess): Promise<void> {
  return new Promise(resolve => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
  });
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once `child` has ended. */
export async function stopChild(child: ChildProcess, graceMs = 3_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const done = exited(child);
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await done;
  clearTimeout(timer);
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () => stopChild(child);
}

export class MissingInfraError extends Error {
  override readonly name = 'MissingInfraError';
}

const SYSTEM_DEPS = fileURLToPath(new URL('../../../scripts/system-deps.sh', import.meta.url));

/**
 * Runs `scripts/system-deps.sh` for these packages: it installs what is missing where it can
 * (Debian as root, with a one-line notice) and otherwise prints which packages to install.
 * Resolves whether everything is there now.
 */
export function installSystemPackages(packages: string[]): Promise<boolean> {
  return new Promise(resolve => {
    const child = spawn('bash', [SYSTEM_DEPS, ...packages], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.once('error', () => resolve(false));
    child.once('exit', code => resolve(code === 0));
  });
}

/**
 * Before `ensureRedis` / `ensureNats` at these URLs: installs, in one go, the packages of the
 * servers that do not answer and whose binary is missing (`npm start` on a fresh machine).
 */
export async function installMissingServers(
  servers: Array<{ url: string; binary: 'redis-server' | 'nats-server' }>,
): Promise<boolean> {
  const missing: string[] = [];
  for (const { url, binary } of servers) {
    const { host, port } = hostPort(url, binary === 'redis-server' ? 6379 : 4222);
    if (!(await probeTcp(host, port)) && !(await findBinary(binary))) missing.push(binary);
  }
  return missing.length === 0 || installSystemPackages(missing);
}

function hostPort(url: string, defaultPort: number): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname || '127.0.0.1', port: Number(u.port || defaultPort) };
}

/** Redis at `url`, started from `redis-server` on that port if nothing answers there. */
export async function ensureRedis(
  url: string,
  dataDir?: string,
  binaryName = 'redis-server',
  /** `persist`: an append-only file in `dataDir`, so a restart keeps the data (fault tests). */
  options: { persist?: boolean } = {},
): Promise<InfraProcess> {
  const { host, port } = hostPort(url, 6379);
  if (await probeTcp(host, port)) return { url, origin: 'running', stop: async () => {} };
  const binary = await findBinary(binaryName);
  if (!binary)
    throw new MissingInfraError(
      `cqfleet needs Redis at ${url}: nothing answers there and no redis-server binary was found (apt-get install -y redis-server)`,
    );
  const dir = dataDir ?? (await mkdtemp(join(tmpdir(), 'cqfleet-redis-')));
  const child = spawnOwned(
    binary,
    [
      ...['--port', String(port), '--bind', host, '--save', '', '--dir', dir],
      ...['--appendonly', options.persist ? 'yes' : 'no'],
    ],
    { stdio: 'ignore' },
  );
  await waitForPort(host, port, child, 'redis-server');
  return { url, origin: 'started', binary, stop: stopper(child) };
}

/** NATS with JetStream at `url`, started from `nats-server` on that port if nothing answers there. */
export async function ensureNats(
  url: string,
  storeDir?: string,
  binaryName = 'nats-server',
): Promise<InfraProcess> {
  const { host, port } = hostPort(url, 4222);
  if (await probeTcp(host, port)) return { url, origin: 'running', stop: async () => {} };
  const binary = await findBinary(binaryName);
  if (!binary)
    throw new MissingInfraError(
      `cqfleet needs NATS at ${url}: nothing answers there and no nats-server binary was found (apt-get install -y nats-server)`,
    );
  const dir = storeDir ?? (await mkdtemp(join(tmpdir(), 'cqfleet-nats-')));
  const child = spawnOwned(binary, ['-a', host, '-p', String(port), '-js', '-sd', dir], {
    stdio: 'ignore',
  });
  await waitForPort(host, port, child, 'nats-server');
  return { url, origin: 'started', binary, stop: stopper(child) };
}
