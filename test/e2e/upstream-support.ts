/**
 * What the tests with a second cqfleet cluster as the upstream (upstream-cluster,
 * upstream-reverse) share: the world of that cluster's simulator — the account in one group
 * with one other person, who speaks there — the round trip of a message sent through the
 * front, and the reply envelopes of the scripted upstreams (upstream-napcat too).
 */
import { SimControl } from '@cqfleet/sim-client';
import { type OneBotHttp, waitFor, writeWorld } from '@cqfleet/testkit';
import { expect } from 'vitest';

/** A scripted upstream's answers, NapCat-style (`message` and `wording`, no `msg`). */
export const ok = (data: unknown) => ({ status: 'ok', retcode: 0, data, message: '', wording: '' });
export const failed = (retcode: number, message: string) => ({
  status: 'failed',
  retcode,
  data: null,
  message,
  wording: message,
});

export const PERSON = 20001;
export const GROUP = 700700;

/** A world file: account `uin` (admin) and PERSON (owner) in GROUP. */
export function upstreamWorld(uin: number, nickname: string): Promise<string> {
  return writeWorld({
    accounts: [{ user_id: uin, nickname }],
    people: [{ user_id: PERSON, nickname: 'someone' }],
    groups: [
      {
        group_id: GROUP,
        group_name: 'upstream group',
        members: [
          { user_id: PERSON, role: 'owner' },
          { user_id: uin, role: 'admin' },
        ],
      },
    ],
  });
}

/** PERSON says `text` in GROUP, on the upstream cluster's simulator. */
export async function speak(simulatorUrl: string, text: string): Promise<void> {
  await new SimControl(simulatorUrl).sendGroupMsg(PERSON, GROUP, text);
}

/** The message `id` once the front's history has it (it learns it from an event). */
export function stored(api: OneBotHttp, id: number): Promise<{ message_id: number }> {
  return waitFor(async () => {
    const r = await api.call<{ message_id: number }>('get_msg', { message_id: id });
    return r.status === 'ok' ? r.data : undefined;
  }, 10_000);
}

/**
 * Sends `text` to GROUP through the front (`api`); the upstream (`upstreamApi`) knows it by
 * the id the front answered, and the front's history learns it from the upstream's
 * message_sent event. Resolves with the id.
 */
export async function sendThroughFront(
  api: OneBotHttp,
  upstreamApi: OneBotHttp,
  text: string,
): Promise<number> {
  const sent = await api.ok<{ message_id: number }>('send_group_msg', {
    group_id: GROUP,
    message: text,
  });
  const there = await upstreamApi.ok<{ message: unknown }>('get_msg', {
    message_id: sent.message_id,
  });
  expect(JSON.stringify(there.message)).toContain(text);
  expect((await stored(api, sent.message_id)).message_id).toBe(sent.message_id);
  return sent.message_id;
}
