/**
 * What the fleet view computes from a snapshot: labels, filtering, sorting, number formats,
 * the polls' back-off and sparkline points. Pure functions without the DOM (unit-tested in
 * test/fleet-model.test.ts).
 */
import type { FleetAccount } from '@cqfleet/contracts';

export type { FleetAccount, FleetMember, FleetSnapshot } from '@cqfleet/contracts';

export type AccountStateName = FleetAccount['state'];

/** Every state an account can be in, in the order the filter lists them. */
export const STATES: readonly AccountStateName[] = [
  'online',
  'connecting',
  'offline',
  'fenced',
  'stopped',
  'unowned',
  'disabled',
];

/** How a state reads, and the tone of its badge (the text says it; colour only helps). */
export const STATE_TONE: Record<AccountStateName, 'good' | 'busy' | 'bad' | 'idle'> = {
  online: 'good',
  connecting: 'busy',
  offline: 'bad',
  fenced: 'bad',
  stopped: 'idle',
  unowned: 'bad',
  disabled: 'idle',
};

export type DriverFilter = '' | 'simulator' | 'onebot';

export interface Filters {
  /** Matched against the uin, the nickname and the owning worker. */
  text: string;
  state: '' | AccountStateName;
  driver: DriverFilter;
}

export const NO_FILTERS: Filters = { text: '', state: '', driver: '' };

export type SortKey =
  'uin' | 'nickname' | 'driver' | 'state' | 'owner' | 'events' | 'actions' | 'lastError';

export type SortDir = 'asc' | 'desc';

export interface Sort {
  key: SortKey;
  dir: SortDir;
}

/** `simulator`, or `onebot · napcat · forward` for an upstream. */
export function driverLabel(a: Pick<FleetAccount, 'driver' | 'flavor' | 'mode'>): string {
  if (a.driver !== 'onebot') return a.driver;
  return `onebot · ${a.flavor ?? 'auto'} · ${a.mode ?? 'forward'}`;
}

/** `worker-1 · 7`, or an empty string when nobody owns the account. */
export function ownerLabel(a: Pick<FleetAccount, 'owner'>): string {
  return a.owner ? `${a.owner.worker} · ${a.owner.fence}` : '';
}

/** The latest value of a per-second series (0 when empty). */
export function latest(series: readonly number[]): number {
  return series.length > 0 ? (series[series.length - 1] ?? 0) : 0;
}

export function filterAccounts(accounts: readonly FleetAccount[], f: Filters): FleetAccount[] {
  const text = f.text.trim().toLowerCase();
  return accounts.filter(
    a =>
      (f.state === '' || a.state === f.state) &&
      (f.driver === '' || a.driver === f.driver) &&
      (text === '' ||
        String(a.uin).includes(text) ||
        (a.nickname ?? '').toLowerCase().includes(text) ||
        (a.owner?.worker ?? '').toLowerCase().includes(text)),
  );
}

const byText = (x: string, y: string) =>
  x === y ? 0 : x === '' ? 1 : y === '' ? -1 : x < y ? -1 : 1;

/** Compares two accounts by one key; empty texts sort last. */
function compare(a: FleetAccount, b: FleetAccount, key: SortKey): number {
  switch (key) {
    case 'uin':
      return a.uin - b.uin;
    case 'nickname':
      return byText((a.nickname ?? '').toLowerCase(), (b.nickname ?? '').toLowerCase());
    case 'driver':
      return byText(driverLabel(a), driverLabel(b));
    case 'state':
      return STATES.indexOf(a.state) - STATES.indexOf(b.state);
    case 'owner':
      return (
        byText(a.owner?.worker ?? '', b.owner?.worker ?? '') ||
        (a.owner?.fence ?? 0) - (b.owner?.fence ?? 0)
      );
    case 'events':
      return latest(a.eventsPerSecond) - latest(b.eventsPerSecond);
    case 'actions':
      return latest(a.actionsPerSecond) - latest(b.actionsPerSecond);
    case 'lastError':
      return byText(a.lastError ?? '', b.lastError ?? '');
  }
}

/** A sorted copy; ties keep uin order, so rows never swap places between polls. */
export function sortAccounts(accounts: readonly FleetAccount[], sort: Sort): FleetAccount[] {
  const sign = sort.dir === 'asc' ? 1 : -1;
  return [...accounts].sort((a, b) => sign * compare(a, b, sort.key) || a.uin - b.uin);
}

/** Clicking a header: the same column flips its direction, another starts ascending. */
export function nextSort(current: Sort, key: SortKey): Sort {
  if (current.key !== key)
    return { key, dir: key === 'events' || key === 'actions' ? 'desc' : 'asc' };
  return { key, dir: current.dir === 'asc' ? 'desc' : 'asc' };
}

/** How many accounts are in each state. */
export function countStates(accounts: readonly FleetAccount[]): Map<AccountStateName, number> {
  const counts = new Map<AccountStateName, number>();
  for (const a of accounts) counts.set(a.state, (counts.get(a.state) ?? 0) + 1);
  return counts;
}

/** A rate: one decimal below 10, whole numbers above. */
export function formatRate(n: number): string {
  if (!Number.isFinite(n)) return '–';
  return n < 10 ? (Math.round(n * 10) / 10).toFixed(n === 0 ? 0 : 1) : String(Math.round(n));
}

/** `0.4 s`, `12 s`, `3 min`, `2 h`, `5 d`. */
export function formatAge(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  if (s < 10) return `${s.toFixed(1)} s`;
  if (s < 90) return `${Math.round(s)} s`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min`;
  if (s < 36 * 3600) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86400)} d`;
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

export const POLL_MS = 1_000;
const MAX_BACKOFF_MS = 10_000;

/** Delay before the next poll after `failures` failures in a row. */
export function backoffMs(failures: number): number {
  return failures === 0 ? POLL_MS : Math.min(MAX_BACKOFF_MS, POLL_MS * 1.5 ** failures);
}

/** The polyline's points for `values` in a `width` × `height` box (1 px margin). */
export function sparkPoints(values: readonly number[], width: number, height: number): string {
  if (values.length === 0) return '';
  const max = Math.max(1, ...values);
  const step = values.length > 1 ? (width - 2) / (values.length - 1) : 0;
  return values
    .map((v, i) => {
      const x = values.length > 1 ? 1 + i * step : width / 2;
      const y = height - 1 - (Math.max(0, v) / max) * (height - 2);
      return `${x.toFixed(1)},${y.toFixed(1)}`;
    })
    .join(' ');
}
