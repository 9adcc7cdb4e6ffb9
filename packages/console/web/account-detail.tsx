/**
 * One account: its fields as the last snapshot has them, its live events (event-list.tsx),
 * a form that runs any OneBot action on it (POST /console/api/accounts/{uin}/call) and shows
 * the JSON answer, and its recent messages from history (history-panel.tsx).
 */
import type { TargetedEvent, TargetedSubmitEvent } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, callAction, type OneBotEnvelope } from './api.js';
import { EventList } from './event-list.js';
import {
  driverLabel,
  formatAge,
  formatRate,
  latest,
  STATE_TONE,
  type FleetAccount,
} from './fleet-model.js';
import { HistoryPanel } from './history-panel.js';
import { Sparkline } from './sparkline.js';

/** Common actions, with parameters to start from. */
export const COMMON_ACTIONS: Record<string, object> = {
  get_login_info: {},
  get_status: {},
  send_group_msg: { group_id: 100100, message: 'hello' },
  send_private_msg: { user_id: 20001, message: 'hello' },
  get_group_list: {},
  get_friend_list: {},
  get_msg: { message_id: 0 },
};

export interface AccountDetailProps {
  uin: number;
  /** Undefined once the account has left the fleet. */
  account: FleetAccount | undefined;
  /** The snapshot's time (the gateway's clock), for ages. */
  at: number;
  token: string;
  onClose: () => void;
  onAuthFailed: (err: ApiError) => void;
}

type CallState =
  | { kind: 'idle' }
  | { kind: 'running' }
  | { kind: 'done'; action: string; envelope: OneBotEnvelope; ms: number }
  | { kind: 'failed'; message: string; body: unknown };

export function AccountDetail(props: AccountDetailProps) {
  const { uin, account: a } = props;
  const heading = useRef<HTMLHeadingElement>(null);
  const [action, setAction] = useState('get_login_info');
  const [params, setParams] = useState('{}');
  /** Once the operator edits the parameters, choosing an action no longer replaces them. */
  const [edited, setEdited] = useState(false);
  const [call, setCall] = useState<CallState>({ kind: 'idle' });

  useEffect(() => heading.current?.focus(), [uin]);

  const chooseAction = (e: TargetedEvent<HTMLInputElement>) => {
    const name = e.currentTarget.value;
    setAction(name);
    const template = COMMON_ACTIONS[name];
    if (!edited && template) setParams(JSON.stringify(template, null, 2));
  };

  const submit = async (e: TargetedSubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    const name = action.trim();
    if (!name) return;
    let parsed: unknown;
    try {
      parsed = params.trim() === '' ? {} : (JSON.parse(params) as unknown);
    } catch (err) {
      setCall({ kind: 'failed', message: `Parameters are not JSON: ${String(err)}`, body: null });
      return;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      setCall({ kind: 'failed', message: 'Parameters are a JSON object: {…}.', body: null });
      return;
    }
    setCall({ kind: 'running' });
    const started = performance.now();
    try {
      const envelope = await callAction(props.token, uin, name, parsed);
      setCall({ kind: 'done', action: name, envelope, ms: performance.now() - started });
    } catch (err) {
      if (err instanceof ApiError && err.isAuth) return props.onAuthFailed(err);
      const body =
        err instanceof ApiError ? { error: { code: err.code, message: err.message } } : null;
      setCall({ kind: 'failed', message: err instanceof Error ? err.message : String(err), body });
    }
  };

  return (
    <section class="detail" aria-labelledby="detail-title" data-testid="account-detail">
      <header class="detail-head">
        <h2 id="detail-title" ref={heading} tabIndex={-1}>
          Account <span class="mono">{uin}</span>
        </h2>
        <button type="button" onClick={props.onClose} aria-label="Close account details">
          Close
        </button>
      </header>
      {a ? (
        <dl class="facts detail-facts">
          <dt>nickname</dt>
          <dd>{a.nickname ?? <span class="muted">unknown</span>}</dd>
          <dt>state</dt>
          <dd>
            <span class={`badge tone-${STATE_TONE[a.state]}`}>{a.state}</span>
            {a.enabled ? '' : ' (disabled by an operator)'}
          </dd>
          <dt>driver</dt>
          <dd>{driverLabel(a)}</dd>
          <dt>owner</dt>
          <dd class="mono">
            {a.owner ? (
              `${a.owner.worker}, fence ${a.owner.fence}`
            ) : (
              <span class="muted">none</span>
            )}
          </dd>
          <dt>events/s</dt>
          <dd class="rate-line">
            <span class="rate">{formatRate(latest(a.eventsPerSecond))}</span>
            <Sparkline values={a.eventsPerSecond} width={180} height={32} />
          </dd>
          <dt>actions/s</dt>
          <dd class="rate-line">
            <span class="rate">{formatRate(latest(a.actionsPerSecond))}</span>
            <Sparkline values={a.actionsPerSecond} width={180} height={32} />
          </dd>
          <dt>last error</dt>
          <dd class="wrap">
            {a.lastError ? (
              <>
                {a.lastError}
                {a.lastErrorAt !== undefined && (
                  <span class="muted small">
                    {' '}
                    ({new Date(a.lastErrorAt).toLocaleString()},{' '}
                    {formatAge(props.at - a.lastErrorAt)} ago)
                  </span>
                )}
              </>
            ) : (
              <span class="muted">none</span>
            )}
          </dd>
        </dl>
      ) : (
        <p class="warn">Account {uin} is no longer in the fleet.</p>
      )}

      <EventList token={props.token} uin={uin} onAuthFailed={props.onAuthFailed} />

      <form class="call-form" onSubmit={e => void submit(e)}>
        <h3 id="call-title">Run an action</h3>
        <label for="call-action">Action</label>
        <input
          id="call-action"
          list="common-actions"
          autoComplete="off"
          spellcheck={false}
          required
          value={action}
          onInput={chooseAction}
        />
        <datalist id="common-actions">
          {Object.keys(COMMON_ACTIONS).map(name => (
            <option key={name} value={name} />
          ))}
        </datalist>
        <label for="call-params">Parameters</label>
        <textarea
          id="call-params"
          class="mono"
          rows={6}
          spellcheck={false}
          value={params}
          onInput={e => {
            setEdited(true);
            setParams(e.currentTarget.value);
          }}
        />
        <div class="buttons">
          <button type="submit" class="primary" disabled={call.kind === 'running'}>
            Call
          </button>
          <span class="muted small" aria-live="polite">
            {call.kind === 'running' && 'Calling…'}
            {call.kind === 'done' &&
              `${call.action}: ${call.envelope.status}, retcode ${call.envelope.retcode} (${Math.round(call.ms)} ms)`}
          </span>
        </div>
        {call.kind === 'failed' && (
          <p class="error" role="alert">
            {call.message}
          </p>
        )}
        {(call.kind === 'done' || (call.kind === 'failed' && call.body !== null)) && (
          <pre class="result mono" data-testid="call-result" tabIndex={0} aria-label="Result">
            {JSON.stringify(call.kind === 'done' ? call.envelope : call.body, null, 2)}
          </pre>
        )}
      </form>

      <HistoryPanel token={props.token} uin={uin} onAuthFailed={props.onAuthFailed} />
    </section>
  );
}
