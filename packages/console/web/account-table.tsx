/**
 * The accounts table, virtualized: rows have one fixed height, and only those in view (plus a
 * few either side) are in the DOM, so a thousand accounts scroll as smoothly as ten.
 *
 * An ARIA table of divs (`role="table"`, `aria-rowcount`, `aria-rowindex`) rather than <table>,
 * so that every row is exactly ROW_PX high. Rows are focusable: Enter opens the account,
 * ↑/↓/Home/End/PageUp/PageDown move between rows.
 */
import type { TargetedKeyboardEvent } from 'preact';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import {
  driverLabel,
  formatRate,
  latest,
  ownerLabel,
  STATE_TONE,
  type FleetAccount,
  type Sort,
  type SortKey,
} from './fleet-model.js';
import { Sparkline } from './sparkline.js';

/** The height of a row and of the header, as in styles.css (`--row`). */
export const ROW_PX = 40;
const OVERSCAN = 8;

interface Column {
  key: SortKey;
  label: string;
  /** Hidden in a narrow table (see styles.css). */
  class: string;
}

const COLUMNS: Column[] = [
  { key: 'uin', label: 'uin', class: 'c-uin' },
  { key: 'nickname', label: 'nickname', class: 'c-nick' },
  { key: 'driver', label: 'driver', class: 'c-driver' },
  { key: 'state', label: 'state', class: 'c-state' },
  { key: 'owner', label: 'owner · fence', class: 'c-owner' },
  { key: 'events', label: 'events/s', class: 'c-events' },
  { key: 'actions', label: 'actions/s', class: 'c-actions' },
  { key: 'lastError', label: 'last error', class: 'c-error' },
];

export interface AccountTableProps {
  accounts: readonly FleetAccount[];
  sort: Sort;
  onSort: (key: SortKey) => void;
  selected: number | null;
  onOpen: (uin: number) => void;
  /** Accounts with an admin request in flight: their buttons wait. */
  busy: ReadonlySet<number>;
  onToggle: (account: FleetAccount) => void;
  onRemove: (account: FleetAccount) => void;
}

export function AccountTable(props: AccountTableProps) {
  const { accounts, sort } = props;
  const wrap = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(600);
  const frame = useRef(0);
  /** A row to focus once it is rendered (keyboard moves). */
  const focusNext = useRef<number | null>(null);

  useLayoutEffect(() => {
    const el = wrap.current;
    if (!el) return;
    setViewport(el.clientHeight);
    const ro = new ResizeObserver(() => setViewport(el.clientHeight));
    ro.observe(el);
    return () => {
      ro.disconnect();
      cancelAnimationFrame(frame.current);
    };
  }, []);

  const onScroll = () => {
    if (frame.current) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = 0;
      if (wrap.current) setScrollTop(wrap.current.scrollTop);
    });
  };

  const first = Math.max(0, Math.floor(scrollTop / ROW_PX) - OVERSCAN);
  const last = Math.min(accounts.length, Math.ceil((scrollTop + viewport) / ROW_PX) + OVERSCAN);
  const rows = accounts.slice(first, last);

  // A layout effect: the row is focused in the same task as the key that moved to it.
  useLayoutEffect(() => {
    const i = focusNext.current;
    if (i === null) return;
    focusNext.current = null;
    wrap.current?.querySelector<HTMLElement>(`[data-index="${i}"]`)?.focus();
  });

  /** Scrolls row `i` into view (under the sticky header) and focuses it after rendering. */
  const moveTo = (i: number) => {
    const el = wrap.current;
    if (!el || accounts.length === 0) return;
    const index = Math.max(0, Math.min(accounts.length - 1, i));
    const top = index * ROW_PX;
    const visible = el.clientHeight - ROW_PX;
    let next = el.scrollTop;
    if (top < next) next = top;
    else if (top + ROW_PX > next + visible) next = top + ROW_PX - visible;
    if (next !== el.scrollTop) {
      el.scrollTop = next;
      setScrollTop(next);
    }
    focusNext.current = index;
    const row = el.querySelector<HTMLElement>(`[data-index="${index}"]`);
    if (row) {
      focusNext.current = null;
      row.focus();
    }
  };

  const onRowKey = (e: TargetedKeyboardEvent<HTMLDivElement>, index: number, uin: number) => {
    if (e.target !== e.currentTarget) return;
    const page = Math.max(1, Math.floor((wrap.current?.clientHeight ?? ROW_PX) / ROW_PX) - 2);
    const moves: Record<string, number> = {
      ArrowDown: index + 1,
      ArrowUp: index - 1,
      PageDown: index + page,
      PageUp: index - page,
      Home: 0,
      End: accounts.length - 1,
    };
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      props.onOpen(uin);
    } else if (e.key in moves) {
      e.preventDefault();
      moveTo(moves[e.key] ?? index);
    }
  };

  return (
    <div
      class="table-wrap"
      ref={wrap}
      onScroll={onScroll}
      role="table"
      aria-label="Accounts"
      aria-rowcount={accounts.length + 1}
    >
      <div role="rowgroup" class="thead">
        <div role="row" class="row head" aria-rowindex={1}>
          {COLUMNS.map(c => {
            const active = sort.key === c.key;
            return (
              <div
                key={c.key}
                role="columnheader"
                class={`cell ${c.class}`}
                aria-sort={active ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'}
              >
                <button type="button" class="sort" onClick={() => props.onSort(c.key)}>
                  {c.label}
                  <span class="sort-mark" aria-hidden="true">
                    {active ? (sort.dir === 'asc' ? '▲' : '▼') : '↕'}
                  </span>
                </button>
              </div>
            );
          })}
          <div role="columnheader" class="cell c-buttons">
            <span class="visually-hidden">operations</span>
          </div>
        </div>
      </div>
      <div
        role="rowgroup"
        class="tbody"
        style={{ height: `${accounts.length * ROW_PX}px`, paddingTop: `${first * ROW_PX}px` }}
      >
        {rows.map((a, k) => (
          <AccountRow
            key={a.uin}
            account={a}
            index={first + k}
            selected={props.selected === a.uin}
            busy={props.busy.has(a.uin)}
            onOpen={props.onOpen}
            onKey={onRowKey}
            onToggle={props.onToggle}
            onRemove={props.onRemove}
          />
        ))}
      </div>
    </div>
  );
}

interface RowProps {
  account: FleetAccount;
  index: number;
  selected: boolean;
  busy: boolean;
  onOpen: (uin: number) => void;
  onKey: (e: TargetedKeyboardEvent<HTMLDivElement>, index: number, uin: number) => void;
  onToggle: (account: FleetAccount) => void;
  onRemove: (account: FleetAccount) => void;
}

function AccountRow({ account: a, index, selected, busy, ...on }: RowProps) {
  const events = latest(a.eventsPerSecond);
  const actions = latest(a.actionsPerSecond);
  const owner = ownerLabel(a);
  const driver = driverLabel(a);
  return (
    <div
      role="row"
      class={selected ? 'row selected' : 'row'}
      aria-rowindex={index + 2}
      aria-current={selected ? 'true' : undefined}
      tabIndex={0}
      data-index={index}
      data-testid={`account-row-${a.uin}`}
      onClick={e => {
        if (!(e.target as Element).closest('button')) on.onOpen(a.uin);
      }}
      onKeyDown={e => on.onKey(e, index, a.uin)}
    >
      <div role="cell" class="cell c-uin mono">
        {a.uin}
      </div>
      <div role="cell" class="cell c-nick" title={a.nickname}>
        {a.nickname ?? <span class="muted">—</span>}
      </div>
      <div role="cell" class="cell c-driver" title={driver}>
        {driver}
      </div>
      <div role="cell" class="cell c-state" data-testid={`state-${a.uin}`}>
        <span class={`badge tone-${STATE_TONE[a.state]}`}>{a.state}</span>
      </div>
      <div role="cell" class="cell c-owner mono" title={owner || undefined}>
        {a.owner ? (
          <>
            <span class="owner-worker">{a.owner.worker}</span>
            <span class="owner-fence"> · {a.owner.fence}</span>
          </>
        ) : (
          <span class="muted">none</span>
        )}
      </div>
      <div role="cell" class="cell c-events num">
        <span class="rate">{formatRate(events)}</span>
        <Sparkline values={a.eventsPerSecond} width={48} />
      </div>
      <div role="cell" class="cell c-actions num">
        <span class="rate">{formatRate(actions)}</span>
        <Sparkline values={a.actionsPerSecond} width={48} />
      </div>
      <div role="cell" class="cell c-error" title={a.lastError}>
        {a.lastError ?? ''}
      </div>
      <div role="cell" class="cell c-buttons">
        <button
          type="button"
          class="small"
          aria-label={`${a.enabled ? 'Disable' : 'Enable'} ${a.uin}`}
          disabled={busy}
          onClick={() => on.onToggle(a)}
        >
          {a.enabled ? 'Disable' : 'Enable'}
        </button>
        <button
          type="button"
          class="small danger"
          aria-label={`Remove ${a.uin}`}
          disabled={busy}
          onClick={() => on.onRemove(a)}
        >
          Remove
        </button>
      </div>
    </div>
  );
}
