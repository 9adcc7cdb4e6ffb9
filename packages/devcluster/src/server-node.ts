/**
 * One server process of a highly-available set on loopback (a nats-server of a cluster, a
 * redis-server or a sentinel): started from a fixed command line (its config file), so that it
 * can be killed like a crash and started again with the same ports and files.
 *
 * Every process goes through `spawnOwned` (infra.ts): its own process group, killed when this
 * process exits, and stopped by the reaper when this process is killed.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  exited,
  findBinary,
  MissingInfraError,
  spawnOwned,
  stopChild,
  waitForPort,
} from './infra.js';

/** How to start one server; the same every time it is (re)started. */
export interface ServerSpec {
  /** Shown in errors: `n1`, `redis-2`, `sentinel-1`. */
  name: string;
  /** Full path of the executable. */
  binary: string;
  args: string[];
  /** The server is up once this address accepts TCP connections. */
  host: string;
  port: number;
  /** The server's own log file: its last lines go into a start-up error. */
  logFile?: string;
  /** Longest wait for the port. @default 15 s */
  readyTimeoutMs?: number;
}

export class ServerNode {
  private child: ChildProcess | undefined;
  private spawnError: Error | undefined;

  constructor(readonly spec: ServerSpec) {}

  get name(): string {
    return this.spec.name;
  }

  get host(): string {
    return this.spec.host;
  }

  get port(): number {
    return this.spec.port;
  }

  /** The process id while it runs. */
  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  get running(): boolean {
    const child = this.child;
    return child !== undefined && child.exitCode === null && child.signalCode === null;
  }

  /** Starts the server and waits for its port (bounded); fails if it is running already. */
  async start(): Promise<void> {
    const { name, binary, args, host, port, readyTimeoutMs = 15_000 } = this.spec;
    if (this.running) throw new Error(`${name} is already running (pid ${this.child?.pid})`);
    this.spawnError = undefined;
    const child = spawnOwned(binary, args, { stdio: 'ignore' });
    child.once('error', err => {
      this.spawnError = err;
    });
    this.child = child;
    try {
      await waitForPort(host, port, child, name, readyTimeoutMs);
    } catch (err) {
      child.kill('SIGKILL');
      const cause = this.spawnError ?? err;
      throw new Error(`${(cause as Error).message}${await this.logTail()}`, { cause });
    }
  }

  /** Starts a stopped or killed server again: same command line, ports and files. */
  restart(): Promise<void> {
    return this.start();
  }

  /**
   * Sends `signal` to the server's process group (forked children included, as a crash takes
   * them) and resolves once the server has exited. SIGKILL, the default, models a crash.
   */
  async kill(signal: NodeJS.Signals = 'SIGKILL', timeoutMs = 10_000): Promise<void> {
    const child = this.child;
    if (!child || !this.running || child.pid === undefined) return;
    const done = exited(child);
    try {
      process.kill(-child.pid, signal);
    } catch {
      child.kill(signal);
    }
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${this.name} did not exit on ${signal} within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      await Promise.race([done, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it has ended. */
  async stop(graceMs = 3_000): Promise<void> {
    if (this.child) await stopChild(this.child, graceMs);
  }

  private async logTail(lines = 15): Promise<string> {
    const file = this.spec.logFile;
    if (!file) return '';
    const text = await readFile(file, 'utf8').catch(() => '');
    const tail = text.trimEnd().split('\n').slice(-lines).join('\n');
    return tail ? `\n${file}:\n${tail}` : ` (no log in ${file})`;
  }
}

/** The binary, or a MissingInfraError naming the package that provides it. */
export async function requireBinary(name: string, debianPackage: string): Promise<string> {
  const binary = await findBinary(name);
  if (!binary)
    throw new MissingInfraError(
      `no ${name} binary was found on PATH or in the sbin directories (apt-get install -y ${debianPackage})`,
    );
  return binary;
}

/**
 * `dir` when given (left in place), else a fresh temporary directory that `remove()` deletes.
 */
export async function workDir(
  dir: string | undefined,
  prefix: string,
): Promise<{ dir: string; remove(): Promise<void> }> {
  if (dir) return { dir, remove: async () => {} };
  const made = await mkdtemp(join(tmpdir(), prefix));
  return { dir: made, remove: () => rm(made, { recursive: true, force: true }) };
}

/**
 * Polls `probe` until it returns something other than undefined; after `timeoutMs` rejects with
 * an error that says what did not happen (`what`) and the probe's last error, if any.
 */
export async function pollUntil<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  intervalMs = 100,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() >= end) {
      const why = last === undefined ? '' : ` (last error: ${(last as Error).message ?? last})`;
      throw new Error(`${what}: not within ${timeoutMs} ms${why}`);
    }
    await new Promise(r => setTimeout(r, intervalMs));
  }
}

/** Stops every node, all at once, and waits for all of them. */
export async function stopAll(nodes: readonly ServerNode[]): Promise<void> {
  await Promise.all(nodes.map(n => n.stop()));
}
