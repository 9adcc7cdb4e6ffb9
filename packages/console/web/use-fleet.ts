/**
 * Polls `GET /console/api/fleet` every second: one request at a time (the next is scheduled
 * when the last has answered), backing off gently while the gateway fails (1.5× per failure,
 * at most 10 s), and slowing to every 5 s while the page is hidden.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, fetchFleet } from './api.js';
import { backoffMs, POLL_MS, type FleetSnapshot } from './fleet-model.js';

const HIDDEN_POLL_MS = 5_000;

export interface FleetPoll {
  /** The last snapshot that arrived (kept while polls fail). */
  snapshot: FleetSnapshot | null;
  /** When it arrived (the page's clock). */
  receivedAt: number;
  /** Why the last poll failed; null while polls succeed. */
  error: string | null;
  /** Consecutive failures, and when the next try is due. */
  failures: number;
  retryAt: number;
  /** Poll at once (after an action), or right after the poll in flight. */
  pollNow: () => void;
}

export function useFleet(
  token: string,
  initial: FleetSnapshot | null,
  onAuthFailed: (err: ApiError) => void,
): FleetPoll {
  const [state, setState] = useState<Omit<FleetPoll, 'pollNow'>>({
    snapshot: initial,
    receivedAt: Date.now(),
    error: null,
    failures: 0,
    retryAt: 0,
  });
  const onAuth = useRef(onAuthFailed);
  onAuth.current = onAuthFailed;
  /** Set by the effect: polls now if idle, else right after the poll in flight. */
  const kick = useRef<() => void>(() => undefined);

  useEffect(() => {
    let stopped = false;
    let inFlight = false;
    let again = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let failures = 0;
    const ctl = new AbortController();

    const schedule = (ms: number) => {
      clearTimeout(timer);
      timer = setTimeout(() => void poll(), ms);
    };

    async function poll() {
      if (stopped) return;
      inFlight = true;
      again = false;
      const started = Date.now();
      try {
        const snapshot = await fetchFleet(token, ctl.signal);
        if (stopped) return;
        failures = 0;
        setState({ snapshot, receivedAt: Date.now(), error: null, failures: 0, retryAt: 0 });
      } catch (err) {
        if (stopped) return;
        if (err instanceof ApiError && err.isAuth) {
          stopped = true;
          onAuth.current(err);
          return;
        }
        failures++;
        const message = err instanceof Error ? err.message : String(err);
        const retryAt = Date.now() + backoffMs(failures);
        setState(s => ({ ...s, error: message, failures, retryAt }));
      } finally {
        inFlight = false;
      }
      if (stopped) return;
      if (again) schedule(0);
      else if (failures > 0) schedule(backoffMs(failures));
      else if (document.hidden) schedule(HIDDEN_POLL_MS);
      else schedule(Math.max(0, POLL_MS - (Date.now() - started)));
    }

    kick.current = () => {
      if (stopped) return;
      if (inFlight) again = true;
      else schedule(0);
    };
    const onVisible = () => {
      if (!document.hidden && !inFlight) schedule(0);
    };
    document.addEventListener('visibilitychange', onVisible);
    schedule(initial ? POLL_MS : 0);
    return () => {
      stopped = true;
      clearTimeout(timer);
      ctl.abort();
      document.removeEventListener('visibilitychange', onVisible);
    };
    // `initial` only matters for the first poll of a token.
  }, [token]);

  const pollNow = useCallback(() => kick.current(), []);
  return { ...state, pollNow };
}
