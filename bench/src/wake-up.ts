/**
 * What one wake-up of a process costs on this machine, measured in the same run as the
 * cluster's figures: two Node processes pass one byte back and forth over loopback TCP (Nagle
 * off), so each turn one of them is woken by a read and writes. The CPU time of both over the
 * turns, divided by the turns, is the CPU of one wake-up: the system calls, the scheduler's
 * switch, libuv's loop turn and a callback, and nothing else.
 *
 * Every hop of an event or an action pays at least that. On the machine these figures were
 * first taken on it moved by a third within an hour while user-space speed did not
 * (bench/README.md, "Tenth session"); the suites report their CPU per item in these units
 * too, so runs of different moments compare.
 */
import { spawn } from 'node:child_process';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { cpuSeconds } from './cpu.js';

/** The other process: echoes every byte back at once. */
const ECHO = `
const s = require('node:net').connect(Number(process.argv[1]), '127.0.0.1');
s.setNoDelay(true);
s.on('data', d => s.write(d));
s.on('error', () => process.exit(0));
s.on('close', () => process.exit(0));
`;

/**
 * CPU time of one wake-up in µs: the mean over `turns` after `warmUp` turns. `node` runs the
 * echoing process (tests give it a command that fails).
 */
export async function wakeUpCost(
  turns = 30_000,
  warmUp = 3_000,
  node = process.execPath,
): Promise<number> {
  const server = createServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const accepted = new Promise<Socket>(resolve => server.once('connection', resolve));
  const port = (server.address() as AddressInfo).port;
  const child = spawn(node, ['-e', ECHO, String(port)], { stdio: 'ignore' });
  // A child that cannot start or dies before connecting ends the wait for its connection.
  const gone = new Promise<never>((_, reject) => {
    child.once('error', reject);
    child.once('exit', code => reject(new Error(`the echo process exited (${code})`)));
  });
  gone.catch(() => undefined); // also settles after a normal end, when nobody waits for it
  let socket: Socket | undefined;
  try {
    socket = await Promise.race([accepted, gone]);
    socket.setNoDelay(true);
    const sock = socket;
    const pid = child.pid!;
    return await new Promise<number>((resolve, reject) => {
      let n = 0;
      let mine = process.cpuUsage();
      let theirs = 0;
      sock.on('error', reject);
      sock.on('close', () => reject(new Error('the echo process went away')));
      sock.on('data', () => {
        n++;
        if (n === warmUp) {
          mine = process.cpuUsage();
          theirs = cpuSeconds(pid);
        } else if (n === warmUp + turns) {
          const used = process.cpuUsage(mine);
          const seconds = (used.user + used.system) / 1e6 + cpuSeconds(pid) - theirs;
          // Each turn woke both processes once.
          resolve((seconds / (2 * turns)) * 1e6);
          return;
        }
        sock.write('x');
      });
      sock.write('x');
    });
  } finally {
    socket?.destroy();
    child.kill();
    server.close();
  }
}
