#!/usr/bin/env node
/**
 * The reaper: a small process of its own that outlives the process that started the cluster
 * (`npm start`, a test). That process writes the process group of every server and service it
 * starts on the reaper's stdin, one per line (`+<pgid>`; `-<pgid>` once it has ended). When
 * stdin ends — its parent exited, however it died, SIGKILL included — the reaper asks every
 * group still listed to stop (SIGTERM), gives them GRACE_MS, kills what is left and exits. So
 * nothing `npm start` ran keeps running, or holding its ports, after it is gone.
 */
import { createInterface } from 'node:readline';

const GRACE_MS = Number(process.argv[2] ?? 10_000);
const groups = new Set<number>();

const alive = (pgid: number): boolean => {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
};

const signal = (pgid: number, sig: NodeJS.Signals) => {
  try {
    process.kill(-pgid, sig);
  } catch {
    // already gone
  }
};

createInterface({ input: process.stdin })
  .on('line', line => {
    const pgid = Number(line.slice(1));
    if (!Number.isSafeInteger(pgid) || pgid <= 1) return;
    if (line.startsWith('+')) groups.add(pgid);
    else groups.delete(pgid);
  })
  .on('close', () => {
    const left = [...groups].filter(alive);
    for (const pgid of left) signal(pgid, 'SIGTERM');
    const deadline = Date.now() + GRACE_MS;
    const check = setInterval(() => {
      const still = left.filter(alive);
      if (still.length > 0 && Date.now() < deadline) return;
      for (const pgid of still) signal(pgid, 'SIGKILL');
      clearInterval(check);
      process.exit(0);
    }, 100);
  });
