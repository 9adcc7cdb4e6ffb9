/**
 * Where the requests an account must answer are kept, bounded as QQ's notification lists are
 * (text-limits.ts): an account keeps its newest MAX_KEPT_REQUESTS requests, and a request that
 * was answered is kept only while something still reads it:
 *
 * - a friend request answered is read by nothing but a second answer, which must be
 *   FLAG_HAS_BEEN_CHECKED: its record goes at once, its flag is remembered;
 * - a join or invite request answered stays in the account's list, as get_group_system_msg shows
 *   it (`checked`, `actor`), until newer requests push it out; then its flag is remembered;
 * - a doubtful friend request (profile.ts) answered is like a friend request.
 *
 * Remembered flags are the newest MAX_ANSWERED_FLAGS of the account; an older flag, like a
 * request pushed out before it was answered, is FLAG_NOT_FOUND.
 */
import { SimError } from '@cqfleet/sim-client';
import type { AccountRequests, RequestKind, RequestState, WorldState } from './state.js';
import { MAX_ANSWERED_FLAGS, MAX_KEPT_REQUESTS } from './text-limits.js';

export function requestsOf(w: WorldState, uin: number): AccountRequests {
  let mine = w.requests.get(uin);
  if (!mine) w.requests.set(uin, (mine = { kept: new Map(), answered: new Map() }));
  return mine;
}

/** Keeps a new request for the account that must answer it; past the bound the oldest goes. */
export function keepRequest(w: WorldState, req: RequestState): void {
  const { kept } = requestsOf(w, req.to);
  kept.set(req.flag, req);
  while (kept.size > MAX_KEPT_REQUESTS) {
    const [flag, oldest] = kept.entries().next().value!;
    kept.delete(flag);
    if (oldest.checked) rememberAnswered(w, req.to, flag, oldest.kind);
  }
}

/** The account answered `flag` and its record is gone: a second answer is still refused. */
export function rememberAnswered(w: WorldState, uin: number, flag: string, kind: RequestKind) {
  const { answered } = requestsOf(w, uin);
  answered.set(flag, kind);
  if (answered.size > MAX_ANSWERED_FLAGS) answered.delete(answered.keys().next().value!);
}

/** The refusal for a flag the account does not keep (as one of `kinds`). */
export function notKept(
  w: WorldState,
  uin: number,
  flag: string,
  kinds: readonly RequestKind[],
  what = 'request',
): SimError {
  const kind = w.requests.get(uin)?.answered.get(flag);
  return kind !== undefined && kinds.includes(kind)
    ? new SimError('FLAG_HAS_BEEN_CHECKED', 'this request has already been handled')
    : new SimError('FLAG_NOT_FOUND', `no ${what} with flag ${flag}`);
}
