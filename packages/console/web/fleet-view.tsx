/**
 * The main page: the fleet polled every second, a searchable, sortable, filterable table of
 * the accounts, the infrastructure beside it, the operator's actions (enable, disable, remove,
 * add) and the detail of one account. When the gateway has a simulator, a "Demo chat" view
 * sits next to the fleet view (the detail stays open over either).
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { AccountDetail } from './account-detail.js';
import { AccountTable } from './account-table.js';
import { AddAccountForm } from './add-account-form.js';
import { ApiError, removeAccount, setEnabled } from './api.js';
import { ConfirmDialog } from './confirm-dialog.js';
import { DemoChat } from './demo-chat.js';
import { Field } from './field.js';
import {
  countStates,
  filterAccounts,
  formatCount,
  nextSort,
  NO_FILTERS,
  sortAccounts,
  STATES,
  type DriverFilter,
  type FleetAccount,
  type FleetSnapshot,
  type Filters,
  type Sort,
} from './fleet-model.js';
import { MembersPanel } from './members-panel.js';
import { fetchSimWorld, SIM_NOT_CONFIGURED, type SimWorld } from './sim-api.js';
import { StaleBanner } from './stale-banner.js';
import { useFleet } from './use-fleet.js';

export interface FleetViewProps {
  token: string;
  first: FleetSnapshot | null;
  onLogout: () => void;
  onAuthFailed: (err: ApiError) => void;
}

interface Notice {
  ok: boolean;
  text: string;
}

const NO_ACCOUNTS: FleetAccount[] = [];

type View = 'fleet' | 'chat';
type Sim =
  | { kind: 'loading' }
  | { kind: 'absent' }
  | { kind: 'ready'; world: SimWorld }
  | { kind: 'failed'; message: string };

export function FleetView({ token, first, onLogout, onAuthFailed }: FleetViewProps) {
  const poll = useFleet(token, first, onAuthFailed);
  const snapshot = poll.snapshot;
  const accounts = snapshot?.accounts ?? NO_ACCOUNTS;

  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [sort, setSort] = useState<Sort>({ key: 'uin', dir: 'asc' });
  const [selected, setSelected] = useState<number | null>(null);
  const [adding, setAdding] = useState(false);
  const [busy, setBusy] = useState<ReadonlySet<number>>(new Set());
  const [notice, setNotice] = useState<Notice | null>(null);
  const [removing, setRemoving] = useState<FleetAccount | null>(null);
  const [view, setView] = useState<View>('fleet');
  const [sim, setSim] = useState<Sim>({ kind: 'loading' });
  const [simTry, setSimTry] = useState(0);

  // Is there a simulator behind this gateway? 404 SIMULATOR_NOT_CONFIGURED: no chat at all.
  useEffect(() => {
    let live = true;
    fetchSimWorld(token)
      .then(world => {
        if (live) setSim({ kind: 'ready', world });
      })
      .catch((err: unknown) => {
        if (!live) return;
        if (err instanceof ApiError && err.isAuth) return onAuthFailed(err);
        if (err instanceof ApiError && err.code === SIM_NOT_CONFIGURED)
          return setSim({ kind: 'absent' });
        setSim({ kind: 'failed', message: err instanceof Error ? err.message : String(err) });
      });
    return () => {
      live = false;
    };
  }, [token, simTry]);
  const botNames = useMemo(
    () => new Map(accounts.flatMap(a => (a.nickname ? [[a.uin, a.nickname] as const] : []))),
    [accounts],
  );

  const filtered = useMemo(() => filterAccounts(accounts, filters), [accounts, filters]);
  const rows = useMemo(() => sortAccounts(filtered, sort), [filtered, sort]);
  const counts = useMemo(() => countStates(accounts), [accounts]);
  const uins = useMemo(() => new Set(accounts.map(a => a.uin)), [accounts]);
  const current = useMemo(
    () => (selected === null ? undefined : accounts.find(a => a.uin === selected)),
    [accounts, selected],
  );

  const closeDetail = () => {
    const uin = selected;
    setSelected(null);
    if (uin !== null)
      document.querySelector<HTMLElement>(`[data-testid="account-row-${uin}"]`)?.focus();
  };

  useEffect(() => {
    if (selected === null) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !removing) closeDetail();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  });

  const setFilter = <K extends keyof Filters>(key: K, value: Filters[K]) =>
    setFilters(f => ({ ...f, [key]: value }));

  /** Runs one admin request for an account; its result shows now, its effect at the next poll. */
  const act = async (uin: number, run: () => Promise<unknown>, done: string, what: string) => {
    setBusy(b => new Set(b).add(uin));
    try {
      await run();
      setNotice({ ok: true, text: done });
      poll.pollNow();
    } catch (err) {
      if (err instanceof ApiError && err.isAuth) return onAuthFailed(err);
      const why = err instanceof ApiError ? `${err.message} (${err.code})` : String(err);
      setNotice({ ok: false, text: `${what} failed: ${why}` });
    } finally {
      setBusy(b => {
        const next = new Set(b);
        next.delete(uin);
        return next;
      });
    }
  };

  const toggle = (a: FleetAccount) => {
    const enable = !a.enabled;
    void act(
      a.uin,
      () => setEnabled(token, a.uin, enable),
      `Account ${a.uin} ${enable ? 'enabled' : 'disabled'}.`,
      `${enable ? 'Enabling' : 'Disabling'} ${a.uin}`,
    );
  };

  const confirmRemove = () => {
    const a = removing;
    setRemoving(null);
    if (!a) return;
    if (selected === a.uin) setSelected(null);
    void act(
      a.uin,
      () => removeAccount(token, a.uin),
      `Account ${a.uin} removed.`,
      `Removing ${a.uin}`,
    );
  };

  return (
    <div class="app">
      <header class="topbar">
        <h1>cqfleet console</h1>
        {sim.kind !== 'absent' && sim.kind !== 'loading' && (
          <nav class="views" aria-label="Views">
            <button
              type="button"
              aria-current={view === 'fleet' ? 'page' : undefined}
              onClick={() => setView('fleet')}
            >
              Fleet
            </button>
            <button
              type="button"
              aria-current={view === 'chat' ? 'page' : undefined}
              onClick={() => setView('chat')}
            >
              Demo chat
            </button>
          </nav>
        )}
        {snapshot && (
          <span class="muted small" data-testid="answered-by">
            gateway <span class="mono">{snapshot.gateway}</span> · as of{' '}
            {new Date(snapshot.at).toLocaleTimeString()}
          </span>
        )}
        <button type="button" class="logout" onClick={onLogout}>
          Log out
        </button>
      </header>
      <StaleBanner poll={poll} />
      {view === 'chat' && sim.kind === 'ready' && (
        <div class={selected !== null ? 'chat-page beside-detail' : 'chat-page'}>
          <DemoChat
            token={token}
            world={sim.world}
            botNames={botNames}
            onAuthFailed={onAuthFailed}
          />
        </div>
      )}
      {view === 'chat' && sim.kind === 'failed' && (
        <div class="chat-page">
          <p class="error" role="alert">
            The simulator could not be reached: {sim.message}
          </p>
          <button type="button" onClick={() => setSimTry(n => n + 1)}>
            Try again
          </button>
        </div>
      )}
      <div class="layout" hidden={view !== 'fleet'}>
        <main class="main">
          <div class="toolbar" role="search" aria-label="Accounts">
            <Field label="Search" class="search">
              {id => (
                <input
                  id={id}
                  type="search"
                  placeholder="uin, nickname or worker"
                  autoComplete="off"
                  value={filters.text}
                  onInput={e => setFilter('text', e.currentTarget.value)}
                />
              )}
            </Field>
            <Field label="State">
              {id => (
                <select
                  id={id}
                  aria-label="Filter by state"
                  value={filters.state}
                  onChange={e => setFilter('state', e.currentTarget.value as Filters['state'])}
                >
                  <option value="">all</option>
                  {STATES.map(s => (
                    <option key={s} value={s}>
                      {s} ({counts.get(s) ?? 0})
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label="Driver">
              {id => (
                <select
                  id={id}
                  aria-label="Filter by driver"
                  value={filters.driver}
                  onChange={e => setFilter('driver', e.currentTarget.value as DriverFilter)}
                >
                  <option value="">all</option>
                  <option value="simulator">simulator</option>
                  <option value="onebot">onebot</option>
                </select>
              )}
            </Field>
            <button
              type="button"
              class="primary add-toggle"
              aria-expanded={adding}
              onClick={() => setAdding(x => !x)}
            >
              Add account
            </button>
          </div>
          {adding && (
            <AddAccountForm
              token={token}
              existing={uins}
              onAuthFailed={onAuthFailed}
              onCancel={() => setAdding(false)}
              onDone={text => {
                setAdding(false);
                setNotice({ ok: true, text });
                poll.pollNow();
              }}
            />
          )}
          <div class="notice-area" aria-live="polite">
            {notice && (
              <p class={notice.ok ? 'notice ok' : 'notice error'} data-testid="notice">
                <span>{notice.text}</span>
                <button
                  type="button"
                  class="small"
                  aria-label="Dismiss message"
                  onClick={() => setNotice(null)}
                >
                  ×
                </button>
              </p>
            )}
          </div>
          <p class="summary" data-testid="summary">
            {snapshot
              ? `${formatCount(rows.length)} of ${formatCount(accounts.length)} accounts` +
                STATES.filter(s => counts.has(s))
                  .map(s => ` · ${formatCount(counts.get(s) ?? 0)} ${s}`)
                  .join('')
              : 'Loading the fleet…'}
          </p>
          {snapshot && accounts.length > 0 && rows.length === 0 && (
            <p class="muted">No account matches the search and filters.</p>
          )}
          <AccountTable
            accounts={rows}
            sort={sort}
            onSort={key => setSort(s => nextSort(s, key))}
            selected={selected}
            onOpen={setSelected}
            busy={busy}
            onToggle={toggle}
            onRemove={setRemoving}
          />
        </main>
        <aside class="side" aria-label="Fleet infrastructure">
          {snapshot && <MembersPanel snapshot={snapshot} />}
        </aside>
      </div>
      {selected !== null && (
        <AccountDetail
          key={selected}
          uin={selected}
          account={current}
          at={snapshot?.at ?? Date.now()}
          token={token}
          onClose={closeDetail}
          onAuthFailed={onAuthFailed}
        />
      )}
      {removing && (
        <ConfirmDialog
          title={`Remove account ${removing.uin}?`}
          confirmLabel="Yes, remove"
          testId="confirm-remove"
          onConfirm={confirmRemove}
          onCancel={() => setRemoving(null)}
        >
          <p>
            The account leaves the registry: its worker hands it over and gateways stop routing to
            it. Its history stays. Adding it again brings it back.
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}
