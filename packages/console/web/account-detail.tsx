/**
 * One account: its fields as the last snapshot has them, its live events (event-list.tsx),
 * a form that runs any OneBot action on it with fields made from the action's parameter schema
 * (action-form.tsx) and shows the JSON answer, and its recent messages from history
 * (history-panel.tsx).
 */
import { useEffect, useRef } from 'preact/hooks';
import { ActionForm } from './action-form.js';
import type { ApiError } from './api.js';
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

export function AccountDetail(props: AccountDetailProps) {
  const { uin, account: a } = props;
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [uin]);

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

      <ActionForm token={props.token} uin={uin} onAuthFailed={props.onAuthFailed} />

      <HistoryPanel token={props.token} uin={uin} onAuthFailed={props.onAuthFailed} />
    </section>
  );
}
