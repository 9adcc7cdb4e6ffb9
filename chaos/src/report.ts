/**
 * What each fault cost, counted from what the clients saw and what the QQ side (the simulator)
 * holds. Everything is attributed to the phase in which it was said or sent: a phase starts
 * when its fault is injected and ends when the next one is.
 *
 * - lost: an event said in the phase that a receiver never got (forward WebSocket: only events
 *   said while its connection was open, since a live stream owes nothing across a reconnect);
 * - duplicated: copies beyond the first; `not de-duplicable` counts copies under another id;
 * - actions failed: answered with a failure or not answered; executed twice: the text reached
 *   the group more than once; answered ok but never executed: a lost action;
 * - recovery: from the fault until the last event delivered late (> 1 s after it was said) or
 *   the last action that failed or was slow (> 1 s) in the phase; 0 when nothing noticed it.
 */
import type { ForwardWsClient, Tally } from './observers.js';
import type { ActionRecord, SentEvent } from './traffic.js';

export interface Phase {
  name: string;
  /** What was done (which node was killed). */
  detail: string;
  t0: number;
  end: number;
}

export interface Losses {
  lost: number;
  duplicated: number;
  notDeduplicable: number;
}

export interface PhaseResult {
  name: string;
  detail: string;
  events: number;
  httpPost: Losses;
  reverseWs: Losses;
  forwardWs: Losses;
  actions: number;
  actionsFailed: number;
  actionsTwice: number;
  actionsOkNotExecuted: number;
  /** Seconds from the fault until the last late event or troubled action of the phase. */
  recoverySeconds: number;
  /** What that last trouble was. */
  lastTrouble?: string;
  /** The first few failures' answers, to say what a client saw. */
  failures: string[];
}

export interface Observed {
  accounts: readonly number[];
  sent: SentEvent[];
  httpPost: Tally;
  reverseWs: Tally;
  forward: ForwardWsClient[];
  actions: ActionRecord[];
  executions: Map<string, number>;
  runEnd: number;
}

const LATE_MS = 1_000;

function losses(tally: Tally, keys: Array<{ key: string }>): Losses {
  const out: Losses = { lost: 0, duplicated: 0, notDeduplicable: 0 };
  for (const { key } of keys) {
    const n = tally.count(key);
    if (n === 0) out.lost++;
    out.duplicated += Math.max(0, n - 1);
    out.notDeduplicable += tally.foreignIds(key);
  }
  return out;
}

export function evaluate(phase: Phase, o: Observed): PhaseResult {
  const inPhase = (t: number) => t >= phase.t0 && t < phase.end;
  const said = o.sent.filter(e => inPhase(e.sentAt));
  const keys = said.flatMap(e => o.accounts.map(a => ({ key: `${a}|${e.text}`, e, a })));
  const forwardWs: Losses = { lost: 0, duplicated: 0, notDeduplicable: 0 };
  for (const c of o.forward) {
    const mine = keys.filter(k => k.a === c.selfId);
    const l = losses(
      c.tally,
      mine.filter(k => c.owed(k.e.sentAt, o.runEnd)),
    );
    forwardWs.lost += l.lost;
    const all = losses(c.tally, mine);
    forwardWs.duplicated += all.duplicated;
    forwardWs.notDeduplicable += all.notDeduplicable;
  }

  const actions = o.actions.filter(a => inPhase(a.startedAt));
  let lastTrouble = phase.t0;
  let cause: string | undefined;
  const trouble = (at: number, what: () => string) => {
    if (at <= lastTrouble) return;
    lastTrouble = at;
    cause = what();
  };
  for (const [receiver, tally] of [
    ['HTTP POST', o.httpPost],
    ['reverse WS', o.reverseWs],
  ] as const)
    for (const k of o.sent.flatMap(e => o.accounts.map(a => ({ key: `${a}|${e.text}`, e })))) {
      const at = tally.firstAt(k.key);
      if (at !== undefined && inPhase(at) && at - k.e.sentAt > LATE_MS)
        trouble(
          at,
          () => `${receiver} got ${k.key} ${((at - k.e.sentAt) / 1000).toFixed(1)} s late`,
        );
    }
  for (const a of o.actions) {
    const at = a.finishedAt ?? o.runEnd;
    if (inPhase(at) && (!a.ok || at - a.startedAt > LATE_MS))
      trouble(
        at,
        () =>
          `${a.text} of ${a.selfId} via ${a.gateway}: ${a.ok ? 'ok' : (a.detail ?? 'no answer')} after ${((at - a.startedAt) / 1000).toFixed(1)} s`,
      );
  }
  const failed = actions.filter(a => !a.ok);
  return {
    name: phase.name,
    detail: phase.detail,
    events: keys.length,
    httpPost: losses(o.httpPost, keys),
    reverseWs: losses(o.reverseWs, keys),
    forwardWs,
    actions: actions.length,
    actionsFailed: failed.length,
    actionsTwice: actions.filter(a => (o.executions.get(a.text) ?? 0) > 1).length,
    actionsOkNotExecuted: actions.filter(a => a.ok && (o.executions.get(a.text) ?? 0) === 0).length,
    recoverySeconds: Math.round((lastTrouble - phase.t0) / 100) / 10,
    lastTrouble: cause,
    failures: [...new Set(failed.map(a => `${a.gateway}: ${a.detail ?? 'no answer'}`))].slice(0, 5),
  };
}

const cell = (l: Losses) =>
  `${l.lost} / ${l.duplicated}${l.notDeduplicable ? ` (${l.notDeduplicable} new id)` : ''}`;

/** The table `npm run chaos` prints (Markdown, so that it can be pasted into the README). */
export function table(results: PhaseResult[]): string {
  const rows = [
    '| fault | events | HTTP POST lost / dup | reverse WS lost / dup | forward WS lost / dup | actions | failed | executed twice | ok, not executed | recovery s |',
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
    ...results.map(
      r =>
        `| ${r.name} | ${r.events} | ${cell(r.httpPost)} | ${cell(r.reverseWs)} | ${cell(r.forwardWs)} | ${r.actions} | ${r.actionsFailed} | ${r.actionsTwice} | ${r.actionsOkNotExecuted} | ${r.recoverySeconds} |`,
    ),
  ];
  return rows.join('\n');
}
