/**
 * Send-side segment checks (segments/outgoing.ts), with both settings of
 * ignore_invalid_cqcode. History look-ups and media uploads are served by small in-memory
 * stand-ins (the media workers' own behaviour is tested with the real service: media.int.test).
 */
import { createHash } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type MessageEvent, OneBotError, parseCQ } from '@cqfleet/onebot';
import { describe, expect, it } from 'vitest';
import type { ActionContext } from '../src/actions/context.js';
import { prepareOutgoing } from '../src/segments/outgoing.js';

const root = await mkdtemp(join(tmpdir(), 'roots-'));
await writeFile(join(root, 'ok.png'), 'png');

const stored = new Map<number, Partial<MessageEvent>>([
  [
    111,
    {
      message_type: 'group',
      group_id: 100100,
      message_seq: 7,
      user_id: 20001,
      time: 1700000000,
      raw_message: 'quoted',
    },
  ],
  [
    222,
    {
      message_type: 'group',
      group_id: 999,
      message_seq: 8,
      user_id: 20001,
      time: 1,
      raw_message: 'elsewhere',
    },
  ],
]);

const jobs: unknown[] = [];

function ctx(ignoreInvalidCqcode: boolean, signal = new AbortController().signal): ActionContext {
  return {
    account: { uin: 10001 },
    // The QQ side's port: the upload ticket is all these sends ask of it.
    qq: { call: async () => ({ url: 'http://sim/media/image' }) },
    format: 'string',
    signal,
    history: {
      find: async (_self: number, id: number) => {
        const m = stored.get(id);
        if (!m) throw new OneBotError('MESSAGE_NOT_FOUND');
        return m as MessageEvent;
      },
      close: () => {},
    },
    // Uploads: files under the root and http(s) URLs load; names containing "huge" are refused.
    media: {
      job: async (_name: string, a: { kind: string; file: string }) => {
        jobs.push(a);
        if (a.file.includes('huge')) throw new OneBotError('MEDIA_TOO_LARGE');
        if (!a.file.startsWith(`file://${root}`) && !a.file.startsWith('https://'))
          throw new OneBotError('LOAD_FILE_ERROR');
        const md5 = createHash('md5').update(a.file).digest('hex');
        return { name: `${md5}.${a.kind === 'cover' ? 'image' : a.kind}` };
      },
    },
    options: {
      ignoreInvalidCqcode,
      extraReplyData: false,
      mediaTimeoutMs: 1000,
    },
  } as unknown as ActionContext;
}

const group = { group_id: 100100 };
const send = (cq: string, ignore = false, target: Parameters<typeof prepareOutgoing>[2] = group) =>
  prepareOutgoing(ctx(ignore), parseCQ(cq), target);
const elements = async (cq: string, ignore = false) => {
  const out = await send(cq, ignore);
  if (out.kind !== 'message') throw new Error('expected a message');
  return out.elements;
};

describe('outgoing segments', () => {
  it('invalid segments become literal CQ text, or vanish with ignore_invalid_cqcode', async () => {
    const cq = 'a[CQ:nope][CQ:face,id=x][CQ:at,qq=abc][CQ:image,file=file:///etc/passwd]b';
    expect(await send(cq)).toEqual({
      kind: 'message',
      elements: [
        {
          type: 'text',
          data: {
            text: 'a[CQ:nope][CQ:face,id=x][CQ:at,qq=abc][CQ:image,file=file:///etc/passwd]b',
          },
        },
      ],
    });
    expect(await send(cq, true)).toEqual({
      kind: 'message',
      elements: [{ type: 'text', data: { text: 'ab' } }],
    });
  });

  it('media are uploaded and sent by content name; an unreadable file falls back to url', async () => {
    const name = (f: string) => `${createHash('md5').update(f).digest('hex')}.image`;
    const ok = `file://${join(root, 'ok.png')}`;
    jobs.length = 0;
    expect(await elements(`[CQ:image,file=${ok},type=flash,cache=0,c=2]`)).toEqual([
      { type: 'image', data: { file: name(ok), type: 'flash' } },
    ]);
    // The seed's cache and c reach the media job; the driver's upload URL goes with them.
    expect(jobs).toEqual([
      { kind: 'image', file: ok, upload: 'http://sim/media/image', cache: false, threads: 2 },
    ]);
    expect(await elements('[CQ:image,file=gone.png,url=https://example.com/a.png]')).toEqual([
      { type: 'image', data: { file: name('https://example.com/a.png') } },
    ]);
    // A received media name is already on the QQ side.
    const received = `${'a'.repeat(32)}.image`;
    expect(await elements(`[CQ:image,file=${received}]`)).toEqual([
      { type: 'image', data: { file: received } },
    ]);
    // An unreadable cover makes the video invalid.
    expect(await elements(`[CQ:video,file=${ok},cover=file:///etc/x.jpg]v`, true)).toEqual([
      { type: 'text', data: { text: 'v' } },
    ]);
  });

  it('past the action’s deadline no media job joins the shared queue', async () => {
    const deadline = new AbortController();
    deadline.abort(new OneBotError('TIMEOUT'));
    jobs.length = 0;
    const image = parseCQ('[CQ:image,file=https://example.com/a.png]');
    await expect(prepareOutgoing(ctx(false, deadline.signal), image, group)).rejects.toMatchObject({
      msg: 'TIMEOUT',
    });
    expect(jobs).toEqual([]);
  });

  it('a refused medium fails the whole send', async () => {
    await expect(send('x[CQ:image,file=https://example.com/huge.png]')).rejects.toMatchObject({
      msg: 'MEDIA_TOO_LARGE',
    });
  });

  it('one reply, moved first; by id it must be a known message of the same chat', async () => {
    expect(await send('x[CQ:reply,id=111][CQ:reply,id=111]')).toEqual({
      kind: 'message',
      elements: [
        { type: 'reply', data: { seq: '7', qq: '20001', time: '1700000000', text: 'quoted' } },
        { type: 'text', data: { text: 'x' } },
      ],
    });
    expect(await send('[CQ:reply,id=222]y', true)).toEqual({
      kind: 'message',
      elements: [{ type: 'text', data: { text: 'y' } }],
    });
    expect(await send('[CQ:reply,id=333]y', true)).toEqual({
      kind: 'message',
      elements: [{ type: 'text', data: { text: 'y' } }],
    });
  });

  it('custom replies need qq and text', async () => {
    expect(
      (await elements('[CQ:reply,text=Hello World,qq=10086,time=3376656000,seq=5123]z'))[0],
    ).toEqual({
      type: 'reply',
      data: { seq: '5123', qq: '10086', time: '3376656000', text: 'Hello World' },
    });
    expect(await elements('[CQ:reply,text=no qq]z', true)).toEqual([
      { type: 'text', data: { text: 'z' } },
    ]);
  });

  it('poke and gift become actions; gift ids 0-13, group only; tts and anonymous are group only', async () => {
    expect(await send('[CQ:poke,qq=20001]')).toEqual({
      kind: 'actions',
      pokes: [20001],
      gifts: [],
    });
    expect(await send('[CQ:gift,qq=20001,id=13]')).toEqual({
      kind: 'actions',
      pokes: [],
      gifts: [{ qq: 20001, id: 13 }],
    });
    expect(await send('[CQ:gift,qq=20001,id=14]t', true)).toEqual({
      kind: 'message',
      elements: [{ type: 'text', data: { text: 't' } }],
    });
    const priv = { user_id: 20001 };
    expect(await send('[CQ:gift,qq=20001,id=1][CQ:tts,text=a][CQ:anonymous]p', true, priv)).toEqual(
      { kind: 'message', elements: [{ type: 'text', data: { text: 'p' } }] },
    );
    expect(await send('[CQ:poke]', false, priv)).toEqual({
      kind: 'actions',
      pokes: [20001],
      gifts: [],
    });
  });

  it('music, contact and location are checked', async () => {
    expect(
      await elements('[CQ:music,type=163,id=1][CQ:music,type=custom,url=u,audio=a,title=t]'),
    ).toHaveLength(2);
    expect(
      await elements('[CQ:music,type=custom,url=u]x[CQ:contact,type=qq]x[CQ:location,lat=1]', true),
    ).toEqual([{ type: 'text', data: { text: 'xx' } }]);
  });
});
