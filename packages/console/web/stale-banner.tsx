/**
 * The banner shown while polls of the fleet fail: why, how old the table is, and when the
 * next try is (the poll backs off; see use-fleet.ts).
 */
import { useEffect, useState } from 'preact/hooks';
import { formatAge } from './fleet-model.js';
import type { FleetPoll } from './use-fleet.js';

/** Shown while polls fail: since when the data is old, and when the next try is. */
export function StaleBanner({ poll }: { poll: FleetPoll }) {
  const [, setTick] = useState(0);
  const failing = poll.error !== null;
  useEffect(() => {
    if (!failing) return;
    const t = setInterval(() => setTick(n => n + 1), 1000);
    return () => clearInterval(t);
  }, [failing]);
  if (!failing) return null;
  const now = Date.now();
  const retry = Math.max(0, Math.ceil((poll.retryAt - now) / 1000));
  return (
    <div class="stale" role="status" data-testid="stale-banner">
      <strong>Stale:</strong> the gateway is not answering ({poll.error}).{' '}
      {poll.snapshot
        ? `Showing the fleet as of ${formatAge(now - poll.receivedAt)} ago`
        : 'No data yet'}
      ; {retry > 0 ? `next try in ${retry} s` : 'trying again'}.
    </div>
  );
}
