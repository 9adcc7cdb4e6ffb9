/**
 * One account's live events: `GET <console>/api/accounts/{uin}/events`, newline-delimited
 * JSON read with fetch and a ReadableStream (EventSource cannot send the Authorization header,
 * and the token never goes in a URL). At most MAX_EVENTS are kept. While paused, events are
 * counted and dropped. A stream that ends or fails is opened again after 1 s, doubling up to
 * 15 s; a refused token ends the session. Closing the detail aborts the request, which the
 * gateway sees as the client going.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, consoleUrl, errorOf } from './api.js';
import {
  type EventRecord,
  keepLatest,
  MAX_LINE_CHARS,
  splitLines,
  toRecord,
} from './event-model.js';

export type StreamStatus =
  { kind: 'connecting' } | { kind: 'live' } | { kind: 'retrying'; why: string; inMs: number };

/** Arrivals are shown in batches this often, not one render per event. */
const FLUSH_MS = 150;
const RETRY_FIRST_MS = 1_000;
const RETRY_MAX_MS = 15_000;

export interface EventStream {
  events: EventRecord[];
  status: StreamStatus;
  paused: boolean;
  /** Events that arrived while paused (not shown). */
  missed: number;
  setPaused: (paused: boolean) => void;
  clear: () => void;
}

export function useEventStream(
  token: string,
  uin: number,
  onAuthFailed: (err: ApiError) => void,
): EventStream {
  const [events, setEvents] = useState<EventRecord[]>([]);
  const [status, setStatus] = useState<StreamStatus>({ kind: 'connecting' });
  const [paused, setPausedState] = useState(false);
  const [missed, setMissed] = useState(0);
  const pausedRef = useRef(false);
  const authRef = useRef(onAuthFailed);
  authRef.current = onAuthFailed;

  useEffect(() => {
    const ctl = new AbortController();
    let retryMs = RETRY_FIRST_MS;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    let flushTimer: ReturnType<typeof setTimeout> | undefined;
    let pending: EventRecord[] = [];

    const flush = () => {
      flushTimer = undefined;
      const batch = pending;
      pending = [];
      if (batch.length > 0) setEvents(list => keepLatest(list, batch));
    };
    const arrived = (record: EventRecord) => {
      if (pausedRef.current) return setMissed(n => n + 1);
      pending.push(record);
      flushTimer ??= setTimeout(flush, FLUSH_MS);
    };

    /** One stream, until it ends; never throws (the loop below decides what comes next). */
    const readOnce = async (): Promise<string> => {
      setStatus({ kind: 'connecting' });
      const res = await fetch(consoleUrl(`api/accounts/${uin}/events`), {
        headers: { authorization: `Bearer ${token}`, accept: 'application/x-ndjson' },
        signal: ctl.signal,
        cache: 'no-store',
        credentials: 'omit',
      });
      if (!res.ok || !res.body) {
        let body: unknown = null;
        try {
          body = (await res.json()) as unknown;
        } catch {
          body = null;
        }
        throw errorOf(res.status, body, `the event stream answered ${res.status}`);
      }
      setStatus({ kind: 'live' });
      retryMs = RETRY_FIRST_MS;
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let rest = '';
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return 'the gateway ended the stream';
        const split = splitLines(rest, value);
        rest = split.rest;
        if (rest.length > MAX_LINE_CHARS) {
          await reader.cancel();
          return 'an event too large';
        }
        for (const line of split.lines) {
          const record = toRecord(line);
          if (record) arrived(record);
        }
      }
    };

    const loop = async () => {
      while (!ctl.signal.aborted) {
        let why: string;
        try {
          why = await readOnce();
        } catch (err) {
          if (ctl.signal.aborted) return;
          if (err instanceof ApiError && err.isAuth) return authRef.current(err);
          why = err instanceof ApiError ? `${err.message} (${err.code})` : 'network error';
        }
        if (ctl.signal.aborted) return;
        setStatus({ kind: 'retrying', why, inMs: retryMs });
        await new Promise<void>(resolve => {
          retryTimer = setTimeout(resolve, retryMs);
        });
        retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
      }
    };
    void loop().catch(() => undefined);

    return () => {
      ctl.abort();
      if (retryTimer) clearTimeout(retryTimer);
      if (flushTimer) clearTimeout(flushTimer);
    };
  }, [token, uin]);

  const setPaused = (p: boolean) => {
    pausedRef.current = p;
    setPausedState(p);
    if (!p) setMissed(0);
  };

  return { events, status, paused, missed, setPaused, clear: () => setEvents([]) };
}
