import { describe, expect, it } from 'vitest';
import {
  AccountRecord,
  formatLease,
  Namespace,
  parsedEvents,
  parseLease,
  publishedEvents,
} from '@cqfleet/contracts';

describe('namespace', () => {
  it('derives every name from one namespace', () => {
    const ns = new Namespace('t-1');
    expect(ns.eventStream).toBe('T_1_EVENTS');
    expect(ns.eventSubject(10001, 'message')).toBe('t-1.events.10001.message');
    expect(ns.selfIdOfSubject('t-1.events.10001.notice')).toBe(10001);
    expect(ns.leaseKey(10001)).toBe('t-1:lease:10001');
    expect(ns.historyPrefix).toBe('t-1:h:');
  });

  it.each(['', 'a.b', 'a b', 'x'.repeat(65), 'a>'])('rejects %j', name => {
    expect(() => new Namespace(name)).toThrow();
  });
});

describe('registry', () => {
  it('leases round-trip and reject garbage', () => {
    expect(parseLease(formatLease({ workerId: 'w|1', fence: 42 }))).toEqual({
      workerId: 'w|1',
      fence: 42,
    });
    expect(parseLease('nofence')).toBeUndefined();
    expect(parseLease('w|x')).toBeUndefined();
    expect(parseLease(null)).toBeUndefined();
  });

  it('account records get defaults', () => {
    expect(AccountRecord.parse({ uin: 10001 })).toEqual({
      uin: 10001,
      driver: 'simulator',
      options: {},
      enabled: true,
    });
    expect(() => AccountRecord.parse({ uin: -1 })).toThrow();
  });
});

describe('published events', () => {
  const bytes = (s: string) => new TextEncoder().encode(s);
  const text = (d: Uint8Array) => new TextDecoder().decode(d);

  it('a message without line breaks is one event, its id the whole header', () => {
    const [one, ...none] = publishedEvents(bytes('{"a":1}'), 'x y')!;
    expect(none).toEqual([]);
    expect(one!.id).toBe('x y');
    expect(text(one!.data)).toBe('{"a":1}');
    expect(publishedEvents(bytes('{}'), '')).toEqual([{ id: undefined, data: bytes('{}') }]);
  });

  it('a batch is one event per line, each with its id', () => {
    const events = publishedEvents(bytes('{"n":1}\n{"n":2}\n{"n":3}'), 'a b c')!;
    expect(events.map(e => [e.id, text(e.data)])).toEqual([
      ['a', '{"n":1}'],
      ['b', '{"n":2}'],
      ['c', '{"n":3}'],
    ]);
  });

  it('lines that do not match the ids are refused', () => {
    expect(publishedEvents(bytes('{}\n{}'), 'a b c')).toBeUndefined();
    expect(publishedEvents(bytes('{}\n{}\n{}'), 'a b')).toBeUndefined();
    expect(publishedEvents(bytes('{}\n{}\n'), 'a b')).toBeUndefined();
    expect(publishedEvents(bytes('{}\n{}'), 'a  b')).toBeUndefined();
    expect(publishedEvents(bytes('{}\n{}'), undefined)).toBeUndefined();
  });

  it('parsed: the events that are JSON objects, in order, and a count of the lines that are not', () => {
    const parsed = parsedEvents(bytes('{"n":1}\nnot json\n{"n":3}\nnull\n[1]\n42'), 'a b c d e f')!;
    expect(parsed.events).toEqual([
      { id: 'a', event: { n: 1 } },
      { id: 'c', event: { n: 3 } },
    ]);
    expect(parsed.unparsed).toBe(4);
    expect(parsedEvents(bytes('{}\n{}'), 'a')).toBeUndefined();
  });
});
