import { describe, expect, it } from 'vitest';
import { eventMatches, keepLatest, splitLines, summarize, toRecord } from '../web/event-model.js';
import { toSegments } from '../web/chat-model.js';

describe('the live event list', () => {
  it('splits the NDJSON stream into lines, keeping the rest and dropping keep-alives', () => {
    expect(splitLines('', '{"a":1}\n\n{"b"')).toEqual({ lines: ['{"a":1}'], rest: '{"b"' });
    expect(splitLines('{"b"', ':2}\n')).toEqual({ lines: ['{"b":2}'], rest: '' });
  });

  it('summarizes messages, notices, requests and meta events', () => {
    expect(
      summarize({
        post_type: 'message',
        message_type: 'group',
        group_id: 100100,
        sender: { nickname: 'Alice', card: 'Alice (admin)' },
        raw_message: 'hi',
      }),
    ).toEqual({ kind: 'group', summary: 'group 100100 · Alice (admin): hi' });
    expect(
      summarize({
        post_type: 'message',
        message_type: 'private',
        user_id: 20001,
        message: [
          { type: 'text', data: { text: 'a' } },
          { type: 'face', data: { id: '14' } },
        ],
      }).summary,
    ).toBe('20001: a[face]');
    expect(
      summarize({ post_type: 'notice', notice_type: 'group_increase', group_id: 1, user_id: 2 })
        .summary,
    ).toBe('group_increase · group 1 · user 2');
    expect(summarize({ post_type: 'request', request_type: 'friend', user_id: 3 }).summary).toBe(
      'friend request from 3',
    );
    expect(summarize({ post_type: 'meta_event', meta_event_type: 'heartbeat' }).kind).toBe(
      'heartbeat',
    );
  });

  it('keeps at most the newest N and filters by type and text', () => {
    expect(keepLatest([1, 2, 3], [4, 5], 3)).toEqual([3, 4, 5]);
    const sent = toRecord('{"post_type":"message_sent","raw_message":"Hello"}')!;
    const notice = toRecord('{"post_type":"notice","notice_type":"poke"}')!;
    expect(toRecord('not json')).toBeNull();
    expect(toRecord('[1]')).toBeNull();
    expect(eventMatches(sent, { postType: 'message', text: '' })).toBe(true);
    expect(eventMatches(notice, { postType: 'message', text: '' })).toBe(false);
    expect(eventMatches(sent, { postType: '', text: 'hello' })).toBe(true);
    expect(eventMatches(notice, { postType: '', text: 'POKE' })).toBe(true);
    expect(eventMatches(notice, { postType: '', text: 'hello' })).toBe(false);
  });
});

describe('the demo chat composer', () => {
  it('turns [face:id] into faces and appends the image', () => {
    expect(toSegments('hi [face:14]!', 'AAAA')).toEqual([
      { type: 'text', data: { text: 'hi ' } },
      { type: 'face', data: { id: '14' } },
      { type: 'text', data: { text: '!' } },
      { type: 'image', data: { file: 'base64://AAAA' } },
    ]);
    expect(toSegments('[face:1][face:2]')).toHaveLength(2);
    expect(toSegments('')).toEqual([]);
  });
});
