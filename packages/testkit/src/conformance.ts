/**
 * Conformance assertions: action results and events are checked against the go-cqhttp shapes
 * in the action table and the event catalogue of @cqfleet/onebot, not just for `status: ok`.
 */
import {
  type ActionName,
  actions,
  type ActionResponse,
  type EventKey,
  eventKey,
  events,
} from '@cqfleet/onebot';
import type { EventFrame, OneBotHttp, OneBotWs } from './clients.js';

function describeIssues(error: {
  issues: Array<{ path: PropertyKey[]; message: string }>;
}): string {
  return error.issues
    .map(i => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`)
    .join('; ');
}

/** Fails unless `data` has the action's go-cqhttp result shape. */
export function assertResult(action: ActionName, data: unknown): void {
  const parsed = actions[action].result.safeParse(data);
  if (!parsed.success)
    throw new Error(
      `${action} result has the wrong shape: ${describeIssues(parsed.error)}\n${JSON.stringify(data)}`,
    );
}

/** Fails unless `event` is in the catalogue (as `key` when given) and has its shape. */
export function assertEvent(event: Record<string, unknown>, key?: EventKey): EventKey {
  const found = eventKey(event);
  if (!found) throw new Error(`event is not in the catalogue: ${JSON.stringify(event)}`);
  if (key && found !== key) throw new Error(`expected a ${key} event, got ${found}`);
  const parsed = events[found].schema.safeParse(event);
  if (!parsed.success)
    throw new Error(
      `${found} event has the wrong shape: ${describeIssues(parsed.error)}\n${JSON.stringify(event)}`,
    );
  return found;
}

/** Calls an action, requires `ok` and the table's result shape; returns `data`. */
export async function expectOk<T = unknown>(
  http: OneBotHttp,
  action: ActionName,
  params: Record<string, unknown> = {},
): Promise<T> {
  const res = await http.call<T>(action, params);
  if (res.status !== 'ok') throw new Error(`${action} failed: ${JSON.stringify(res)}`);
  assertResult(action, res.data);
  return res.data;
}

/** Calls an action and requires go-cqhttp's failure envelope with `msg` (and `retcode`). */
export async function expectFailure(
  http: OneBotHttp,
  action: string,
  params: Record<string, unknown>,
  msg: string,
  retcode = 100,
): Promise<ActionResponse> {
  const res = await http.call(action, params);
  const expected = { status: 'failed', retcode, msg };
  const got = { status: res.status, retcode: res.retcode, msg: 'msg' in res ? res.msg : undefined };
  if (JSON.stringify(got) !== JSON.stringify(expected))
    throw new Error(`${action}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(res)}`);
  if (!('wording' in res) || res.message !== res.wording || res.data !== null)
    throw new Error(`${action}: not a go-cqhttp failure envelope: ${JSON.stringify(res)}`);
  return res;
}

/** Waits for an event of catalogue `key` that matches, checking its shape. */
export async function expectEvent(
  ws: OneBotWs,
  key: EventKey,
  match: (e: EventFrame) => boolean = () => true,
  timeoutMs = 5_000,
): Promise<EventFrame> {
  const event = await ws.waitForEvent(e => eventKey(e) === key && match(e), timeoutMs);
  assertEvent(event, key);
  return event;
}
