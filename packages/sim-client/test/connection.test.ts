/** Frames from the simulator are outside input (issue 15): parsed by a total function. */
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { WebSocketServer } from 'ws';
import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH } from '@cqfleet/runtime';
import { parseServerFrame, SimConnection } from '@cqfleet/sim-client';

describe('frames from the simulator', () => {
  it('anything that is not the protocol is a reason, not a throw', () => {
    for (const bad of ['null', '[]', '42', '"x"', '{', '{"push":"event"}', '{"id":"1","ok":true}'])
      expect(typeof parseServerFrame(bad)).toBe('string');
    expect(parseServerFrame('{"id":3,"ok":true,"result":1}')).toEqual({
      id: 3,
      ok: true,
      result: 1,
    });
    const friend = { kind: 'friend_add', time: 1, user_id: 20001 };
    expect(parseServerFrame(JSON.stringify({ push: 'event', seq: 1, event: friend }))).toEqual({
      push: 'event',
      seq: 1,
      event: friend,
    });
    // An event that does not fit its kind's schema (@cqfleet/qq-side) is not one.
    for (const event of [{ kind: 'x', time: 1 }, { ...friend, user_id: '20001' }, { kind: 'poke' }])
      expect(parseServerFrame(JSON.stringify({ push: 'event', seq: 1, event }))).toMatch(
        /^malformed event/,
      );
  });

  it('a frame nested past MAX_JSON_DEPTH is refused before it is parsed', () => {
    // zod keeps unknown keys: this event fits group_upload's schema, and its `file` reaches the
    // session's JSON.stringify, which overflows the stack on it.
    const nested = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
    const upload = (extra: string) =>
      `{"push":"event","seq":1,"event":{"kind":"group_upload","time":1,"group_id":1,` +
      `"user_id":2,"file":{"id":"f","name":"n","size":1,"busid":1,"url":"u","x":${extra}}}}`;
    // The envelope, the event and its file are three levels.
    expect(typeof parseServerFrame(upload(nested(MAX_JSON_DEPTH - 3)))).toBe('object');
    expect(parseServerFrame(upload(nested(MAX_JSON_DEPTH - 2)))).toMatch(/deeper than/);
    expect(parseServerFrame(upload(nested(50_000)))).toMatch(/deeper than/);
    expect(parseServerFrame(`{"id":1,"ok":true,"result":${nested(50_000)}}`)).toMatch(/deeper/);
  });

  it('anything at all is a frame or a reason', () => {
    fc.assert(
      fc.property(fc.jsonValue(), v => {
        parseServerFrame(JSON.stringify(v) ?? 'null');
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('the connection to the simulator', () => {
  it('a frame over the size limit closes it, and the frames before it arrive', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise(r => wss.once('listening', r));
    const friend = { kind: 'friend_add', time: 1, user_id: 20001 };
    const small = JSON.stringify({ push: 'event', seq: 1, event: friend });
    const big = JSON.stringify({
      push: 'event',
      seq: 2,
      event: { ...friend, pad: 'x'.repeat(4096) },
    });
    // Pushes once the test has set its handlers, as the simulator pushes after a login.
    wss.on('connection', ws =>
      setTimeout(() => {
        ws.send(small);
        ws.send(big);
      }, 50),
    );
    try {
      const { port } = wss.address() as AddressInfo;
      const conn = await SimConnection.open(`http://127.0.0.1:${port}`, 2_000, 1024);
      const seqs: number[] = [];
      conn.onPush = push => {
        if (push.push === 'event') seqs.push(push.seq);
      };
      // ws answers the frame with a close (1009) and drops the socket: 1006 on this side.
      const code = await new Promise<number>(resolve => (conn.onClose = resolve));
      expect([1006, 1009]).toContain(code);
      expect(seqs).toEqual([1]);
      expect(conn.isOpen).toBe(false);
    } finally {
      wss.close();
    }
  });
});
