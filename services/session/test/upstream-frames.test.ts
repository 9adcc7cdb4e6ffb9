/**
 * The border with an upstream (frames.ts): whatever an upstream sends — random JSON, random
 * text, the hostile frames of issue 15 — is parsed without a throw into an event, a reply or a
 * refusal, and an event that passes is one cqfleet can publish and store.
 */
import { encodeMessage, unstorable } from '@cqfleet/history-store';
import { MAX_JSON_VALUES } from '@cqfleet/runtime';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromUpstream } from '../src/upstream/events.js';
import {
  clipText,
  MAX_UPSTREAM_TEXT_BYTES,
  parseLoginInfo,
  parseUpstreamEvent,
  parseUpstreamFrame,
  parseVersionInfo,
} from '../src/upstream/frames.js';
import { flavorOf } from '../src/upstream/onebot-driver.js';

const UIN = 30001;
const MAX = 64 * 1024;

/** Parse, and publish what passes, as the driver does. */
function handle(raw: string): string {
  const parsed = parseUpstreamFrame(raw, MAX);
  if (parsed.kind !== 'event') return parsed.kind;
  const out = fromUpstream(UIN, parsed.frame, raw);
  if (out) {
    expect(out.event.self_id).toBe(UIN);
    const e = out.event as unknown as Record<string, unknown>;
    for (const f of ['user_id', 'group_id', 'message_id', 'message_seq'])
      if (e[f] !== undefined) expect(Number.isSafeInteger(e[f])).toBe(true);
    if (e.post_type === 'message' || e.post_type === 'message_sent') {
      expect(Array.isArray(e.message)).toBe(true);
      expect(typeof e.raw_message).toBe('string');
      // What history stores (a message it could not would once have held every later batch).
      if (e.user_id !== UIN || e.message_type === 'group') {
        expect(unstorable(e), JSON.stringify(e)).toBeUndefined();
        encodeMessage(out.event as never);
      }
    }
    JSON.stringify(out.event);
  }
  return 'event';
}

/** The event published for a frame that must pass. */
function handleEvent(frame: Record<string, unknown>): Record<string, unknown> {
  const raw = JSON.stringify(frame);
  expect(handle(raw)).toBe('event');
  const parsed = parseUpstreamFrame(raw, MAX);
  if (parsed.kind !== 'event') throw new Error(parsed.kind);
  return fromUpstream(UIN, parsed.frame, raw)!.event as unknown as Record<string, unknown>;
}

const message = (over: Record<string, unknown>) =>
  JSON.stringify({
    post_type: 'message',
    message_type: 'group',
    sub_type: 'normal',
    time: 1,
    group_id: 600600,
    user_id: 20001,
    message_id: 7,
    message: 'hi',
    ...over,
  });

describe('upstream frames', () => {
  it('refuses the frames that took a worker down, with their reason', () => {
    for (const raw of ['null', '[]', '"x"', '42', 'true'])
      expect(parseUpstreamFrame(raw, MAX)).toMatchObject({ kind: 'refused', reason: 'not_object' });
    expect(parseUpstreamFrame('{', MAX)).toMatchObject({ kind: 'refused', reason: 'not_json' });
    expect(parseUpstreamFrame(`"${'x'.repeat(MAX)}"`, MAX)).toMatchObject({
      reason: 'too_large',
    });
    const deep = `{"post_type":"notice","x":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
    expect(parseUpstreamFrame(deep, MAX)).toMatchObject({ kind: 'refused', reason: 'too_deep' });
    // Within the byte bound, but millions of values once parsed: refused unparsed.
    const many = `{"echo":"1","data":[${'{},'.repeat(MAX_JSON_VALUES)}{}]}`;
    expect(parseUpstreamFrame(many, 64 * 1024 * 1024)).toMatchObject({
      kind: 'refused',
      reason: 'too_large',
      detail: `holds more than ${MAX_JSON_VALUES} values`,
    });
    const answer = `{"echo":"1","data":[${'{},'.repeat(59_999)}{}]}`;
    expect(parseUpstreamFrame(answer, 64 * 1024 * 1024)).toMatchObject({ kind: 'reply' });
    const bad = [
      { post_type: 5 },
      { post_type: '' },
      { post_type: 'message', message_type: 'group', group_id: 1, message: { evil: 1 } },
      { post_type: 'message', message_type: 'channel', message: 'x' },
      { post_type: 'message', message_type: 'group', message: 'no group' },
      { post_type: 'message', message_type: 'group', group_id: [1], message: 'x' },
      { post_type: 'message', message_type: 'private', user_id: 1e300, message: 'x' },
      { post_type: 'message', message_type: 'private', message: [null] },
      { post_type: 'notice', notice_type: 'group_recall', group_id: { $gt: 0 } },
      { post_type: 'notice', time: 'yesterday' },
      { post_type: 'message', message_type: 'group', group_id: 1, message_id: 2, message: 'x' },
      { post_type: 'message', message_type: 'private', user_id: 1, message: 'no message_id' },
    ];
    for (const frame of bad)
      expect(parseUpstreamFrame(JSON.stringify(frame), MAX), JSON.stringify(frame)).toMatchObject({
        kind: 'refused',
        reason: 'bad_event',
      });
  });

  it('takes OneBot’s post types only: another would be a NATS subject of its own', () => {
    for (const post_type of ['message', 'message_sent', 'notice', 'request', 'meta_event'])
      expect(parseUpstreamFrame(message({ post_type, message_type: 'group' }), MAX).kind).toBe(
        'event',
      );
    // A space or a dot cannot be published at all; any other word is a new subject and label.
    for (const post_type of ['no tice', 'a.b', 'notice.x', '*', '>', 'custom', 'Message'])
      expect(parseUpstreamFrame(message({ post_type }), MAX), post_type).toMatchObject({
        kind: 'refused',
        reason: 'unknown_post_type',
      });
    expect(parseUpstreamEvent({ post_type: 'x y' })).toMatchObject({ reason: 'unknown_post_type' });
  });

  it('reads login and version answers of any shape, their text cut', () => {
    const huge = '名'.repeat(100_000);
    for (const v of [null, undefined, [], 42, 'x', { user_id: [1] }, { user_id: 1e300 }])
      expect(parseLoginInfo(v)).toEqual({ user_id: undefined, nickname: '' });
    expect(parseLoginInfo({ user_id: '30001', nickname: 'bot' })).toEqual({
      user_id: 30001,
      nickname: 'bot',
    });
    const nickname = parseLoginInfo({ user_id: 1, nickname: huge }).nickname;
    expect(Buffer.byteLength(nickname)).toBeLessThanOrEqual(MAX_UPSTREAM_TEXT_BYTES);
    expect(nickname).toBe('名'.repeat(Math.floor(MAX_UPSTREAM_TEXT_BYTES / 3)));
    for (const v of [null, undefined, [], 42, { app_name: { a: 1 } }])
      expect(parseVersionInfo(v)).toEqual({ app_name: '', app_full_name: '' });
    expect(parseVersionInfo({ app_full_name: huge }).app_full_name.length).toBeLessThan(100);
    // get_version_info answering `data: null` once kept the account offline for ever.
    expect(flavorOf(null)).toBe('unknown');
    expect(flavorOf({ app_name: 'NapCat.Onebot' })).toBe('napcat');
  });

  it('cuts text at a character boundary', () => {
    expect(clipText('abc', 2)).toBe('ab');
    expect(clipText('a😀b', 4)).toBe('a');
    expect(clipText('a😀b', 5)).toBe('a😀');
    expect(clipText('short')).toBe('short');
  });

  it('reads decimal-string ids as numbers and keeps what it does not read', () => {
    const parsed = parseUpstreamFrame(
      message({ group_id: '600600', user_id: '20001', message_id: '-5', napcat_only: { a: 1 } }),
      MAX,
    );
    expect(parsed).toMatchObject({
      kind: 'event',
      frame: { group_id: 600600, user_id: 20001, message_id: -5, napcat_only: { a: 1 } },
    });
  });

  it('fills in what go-cqhttp always sends and an upstream left out; a time far ahead is now', () => {
    const now = Math.floor(Date.now() / 1000);
    const bare = { post_type: 'message', user_id: 20001, message_id: 7, message: 'hi' };
    const group = handleEvent({ ...bare, message_type: 'group', group_id: 600600 });
    expect(group).toMatchObject({
      self_id: UIN,
      sub_type: 'normal',
      sender: { user_id: 20001, nickname: '' },
      font: 0,
      anonymous: null,
    });
    expect(Math.abs((group.time as number) - now)).toBeLessThanOrEqual(1);
    const dm = handleEvent({ ...bare, message_type: 'private', time: 1e12, sender: { age: 3 } });
    expect(dm).toMatchObject({
      sub_type: 'friend',
      target_id: UIN,
      sender: { user_id: 20001, age: 3 },
    });
    expect(Math.abs((dm.time as number) - now)).toBeLessThanOrEqual(1);
    // What the upstream did send stays as it was.
    expect(handleEvent({ ...bare, message_type: 'private', time: 1_700_000_000 }).time).toBe(
      1_700_000_000,
    );
  });

  it('takes replies (any object without post_type) with their echo', () => {
    expect(parseUpstreamFrame('{"status":"ok","retcode":0,"data":null,"echo":"e1"}', MAX)).toEqual({
      kind: 'reply',
      echo: 'e1',
      reply: { status: 'ok', retcode: 0, data: null, echo: 'e1' },
    });
    expect(parseUpstreamFrame('{"echo":{"a":1}}', MAX)).toMatchObject({ echo: undefined });
  });

  it('never throws on random JSON, random text, or random message events', () => {
    fc.assert(
      fc.property(fc.jsonValue(), v => {
        handle(JSON.stringify(v) ?? 'null');
      }),
      { numRuns: 2_000 },
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), s => {
        handle(s);
      }),
      { numRuns: 2_000 },
    );
    const anything = fc.oneof(fc.jsonValue(), fc.constant(undefined));
    // Mostly well-formed ids, so that many events pass and are checked as published.
    const idOrAnything = fc.oneof({ arbitrary: fc.integer(), weight: 3 }, anything);
    fc.assert(
      fc.property(
        fc.record({
          message_type: fc.oneof(fc.constantFrom('group', 'private'), anything),
          group_id: idOrAnything,
          user_id: idOrAnything,
          message_id: idOrAnything,
          message_seq: idOrAnything,
          message: fc.oneof(
            fc.string(),
            fc.array(fc.record({ type: fc.string(), data: anything })),
            anything,
          ),
          raw_message: anything,
          sender: anything,
        }),
        fields => {
          handle(message(fields));
          parseUpstreamEvent(fields);
        },
      ),
      { numRuns: 2_000 },
    );
  });
});
