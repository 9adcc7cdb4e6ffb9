/**
 * The detail's live events: newest first, each a line (time, type, summary) that opens to its
 * JSON; Pause / Resume (paused: arrivals are counted, not shown), a filter by post_type and a
 * text filter. The stream itself is use-event-stream.ts.
 */
import { useMemo, useState } from 'preact/hooks';
import type { ApiError } from './api.js';
import {
  clock,
  type EventFilter,
  type EventRecord,
  eventMatches,
  MAX_EVENTS,
  POST_TYPES,
  type PostTypeFilter,
} from './event-model.js';
import { Field } from './field.js';
import { type StreamStatus, useEventStream } from './use-event-stream.js';

export interface EventListProps {
  token: string;
  uin: number;
  onAuthFailed: (err: ApiError) => void;
}

function statusText(s: StreamStatus): string {
  if (s.kind === 'live') return 'Live';
  if (s.kind === 'connecting') return 'Connecting…';
  return `Reconnecting in ${Math.round(s.inMs / 1000)} s (${s.why})`;
}

function EventItem({ record }: { record: EventRecord }) {
  // The JSON is made only for an opened event: 500 of them stringified each render would show.
  const [open, setOpen] = useState(false);
  return (
    <li class="event" data-testid="event-item">
      <details onToggle={e => setOpen(e.currentTarget.open)}>
        <summary>
          <span class="mono muted">{clock(record.time)}</span>{' '}
          <span class="event-type">
            {record.postType}
            {record.kind ? `/${record.kind}` : ''}
          </span>{' '}
          <span class="event-summary">{record.summary}</span>
        </summary>
        {open && (
          <pre class="result mono" tabIndex={0} aria-label="Event JSON">
            {JSON.stringify(record.event, null, 2)}
          </pre>
        )}
      </details>
    </li>
  );
}

export function EventList({ token, uin, onAuthFailed }: EventListProps) {
  const stream = useEventStream(token, uin, onAuthFailed);
  const [filter, setFilter] = useState<EventFilter>({ postType: '', text: '' });
  const shown = useMemo(
    () => stream.events.filter(r => eventMatches(r, filter)).reverse(),
    [stream.events, filter],
  );

  return (
    <section class="events" aria-labelledby="events-title">
      <div class="section-head">
        <h3 id="events-title">Live events</h3>
        <span
          class={`badge tone-${stream.status.kind === 'live' ? 'good' : 'busy'}`}
          data-testid="event-stream-status"
          role="status"
        >
          {statusText(stream.status)}
        </span>
      </div>
      <div class="event-tools">
        <Field label="Event type">
          {id => (
            <select
              id={id}
              value={filter.postType}
              onChange={e =>
                setFilter(f => ({ ...f, postType: e.currentTarget.value as PostTypeFilter }))
              }
            >
              <option value="">all</option>
              {POST_TYPES.map(t => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Filter events" class="grow">
          {id => (
            <input
              id={id}
              type="search"
              autoComplete="off"
              placeholder="text, id, type"
              value={filter.text}
              onInput={e => setFilter(f => ({ ...f, text: e.currentTarget.value }))}
            />
          )}
        </Field>
        <button
          type="button"
          aria-pressed={stream.paused}
          onClick={() => stream.setPaused(!stream.paused)}
        >
          {stream.paused ? 'Resume' : 'Pause'}
        </button>
        <button type="button" onClick={stream.clear}>
          Clear
        </button>
      </div>
      <p class="muted small" aria-live="polite">
        {shown.length} of {stream.events.length} kept (at most {MAX_EVENTS})
        {stream.paused && ` · paused, ${stream.missed} new not shown`}
      </p>
      <ol class="event-list" data-testid="event-list" aria-label="Events, newest first">
        {shown.map(r => (
          <EventItem key={r.key} record={r} />
        ))}
      </ol>
    </section>
  );
}
