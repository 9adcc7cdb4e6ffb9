/**
 * The infrastructure beside the table: session workers and gateway replicas with what they
 * hold, the media queue, the history store, NATS and Redis.
 */
import {
  formatAge,
  formatBytes,
  formatCount,
  type FleetMember,
  type FleetSnapshot,
} from './fleet-model.js';

/** A member whose heartbeat is older than this is flagged (the lease TTLs are shorter). */
const LATE_HEARTBEAT_MS = 10_000;

function Health({ ok, label }: { ok: boolean; label: string }) {
  return <span class={`badge tone-${ok ? 'good' : 'bad'}`}>{ok ? label : `${label}: down`}</span>;
}

function Members(props: {
  title: string;
  members: readonly FleetMember[];
  holds: string;
  at: number;
  self?: string;
}) {
  const total = props.members.reduce((n, m) => n + m.holds, 0);
  const id = `members-${props.title.toLowerCase().replace(/\W+/g, '-')}`;
  return (
    <section class="panel-block" aria-labelledby={id}>
      <h3 id={id}>
        {props.title} <span class="muted">({props.members.length})</span>
      </h3>
      {props.members.length === 0 ? (
        <p class="muted">none</p>
      ) : (
        <ul class="members">
          {props.members.map(m => {
            const age = props.at - m.heartbeatAt;
            const late = age > LATE_HEARTBEAT_MS;
            return (
              <li key={m.id} data-testid={`member-${m.id}`}>
                <span class="mono member-id" title={m.id}>
                  {m.id}
                </span>
                <span class="member-holds">
                  {formatCount(m.holds)} {props.holds}
                </span>
                <span class={late ? 'member-beat late' : 'member-beat muted'}>
                  {m.id === props.self ? 'answered this poll · ' : ''}
                  {late ? 'late: ' : ''}
                  heartbeat {formatAge(age)} ago
                </span>
              </li>
            );
          })}
        </ul>
      )}
      {props.members.length > 1 && (
        <p class="muted small">
          {formatCount(total)} {props.holds} in all
        </p>
      )}
    </section>
  );
}

export function MembersPanel({ snapshot }: { snapshot: FleetSnapshot }) {
  const { media, history, nats, redis } = snapshot;
  return (
    <div class="members-panel">
      <section class="panel-block" aria-labelledby="infra-health">
        <h3 id="infra-health">Health</h3>
        <dl class="facts">
          <dt>NATS</dt>
          <dd data-testid="nats-health">
            <Health ok={nats.ok} label="ok" />
            {nats.server && <span class="mono small"> {nats.server}</span>}
            {nats.rttMs !== undefined && <span class="small"> rtt {nats.rttMs} ms</span>}
          </dd>
          <dt>Redis</dt>
          <dd data-testid="redis-health">
            <Health ok={redis.ok} label="ok" />
            {redis.role && <span class="small"> {redis.role}</span>}
            {redis.usedMemoryBytes !== undefined && (
              <span class="small"> {formatBytes(redis.usedMemoryBytes)}</span>
            )}
          </dd>
          <dt>Media queue</dt>
          <dd data-testid="media-queue">
            {media ? (
              <span class="queue">
                <span>{formatCount(media.waiting)} waiting</span>
                <span>{formatCount(media.active)} active</span>
                <span>{formatCount(media.delayed)} delayed</span>
                <span class={media.failed > 0 ? 'warn' : undefined}>
                  {formatCount(media.failed)} failed
                </span>
              </span>
            ) : (
              <span class="muted">unavailable</span>
            )}
          </dd>
          <dt>History</dt>
          <dd data-testid="history-messages">
            {history ? (
              `${formatCount(history.messages)} messages`
            ) : (
              <span class="muted">unavailable</span>
            )}
          </dd>
        </dl>
      </section>
      <Members
        title="Session workers"
        members={snapshot.workers}
        holds="accounts"
        at={snapshot.at}
      />
      <Members
        title="Gateways"
        members={snapshot.gateways}
        holds="deliveries"
        at={snapshot.at}
        self={snapshot.gateway}
      />
    </div>
  );
}
