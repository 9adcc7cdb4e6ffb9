/**
 * Files and URLs that a client names for an upstream account (issue 15, point 4): cqfleet opens
 * them itself — local paths only under the media workers' file roots, URLs only through their
 * address guard, both held to the seed's limits — and the upstream (a stand-in recording what
 * it is asked) gets `base64://` content, never a path or URL. So `download_file`, then sending
 * the path it answered, works for an upstream on another host; and neither a path outside the
 * roots nor a private address reaches the upstream to be opened there.
 */
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type FileServer,
  ocrFixture,
  OneBotHttp,
  startFileServer,
  startTestCluster,
  type TestCluster,
  untilOnline,
} from '@cqfleet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StandInUpstream } from './standin-upstream.js';

const UIN = 30301;
const GROUP = 620620;
const PNG = ocrFixture('en').png;

let cluster: TestCluster;
let upstream: StandInUpstream;
let files: FileServer;
let api: OneBotHttp;
let allowed: string;

beforeAll(async () => {
  upstream = await new StandInUpstream(UIN, 'confined bot', 'tok').start();
  files = await startFileServer({ '/pic.png': PNG });
  const dataDir = await mkdtemp(join(tmpdir(), 'cqfleet-confine-'));
  allowed = join(dataDir, 'files');
  await mkdir(allowed, { recursive: true });
  await writeFile(join(allowed, 'pic.png'), PNG);
  await writeFile(join(allowed, 'report.txt'), 'a group file');
  cluster = await startTestCluster({ accounts: [], dataDir, env: { GATEWAY_ADMIN_TOKEN: 'adm' } });
  const res = await fetch(`${cluster.gateways[0]!.adminUrl}/accounts/${UIN}`, {
    method: 'PUT',
    headers: { authorization: 'Bearer adm', 'content-type': 'application/json' },
    body: JSON.stringify({ driver: 'onebot', options: { url: upstream.url, token: 'tok' } }),
  });
  expect(res.status).toBe(201);
  api = new OneBotHttp(`${cluster.httpUrl}/${UIN}`);
  await untilOnline(cluster.httpUrl, UIN, 15_000);
}, 60_000);

afterAll(async () => {
  upstream?.close();
  await files?.close();
  await cluster?.stop();
});

/** The message segments of the last send the upstream was asked. */
function lastSent(): Array<{ type: string; data: Record<string, string> }> {
  const call = upstream.calls.filter(c => c.action === 'send_group_msg').at(-1)!;
  return call.params.message as Array<{ type: string; data: Record<string, string> }>;
}

const bytesOf = (source: string | undefined) => {
  expect(source).toMatch(/^base64:\/\//);
  return Buffer.from(source!.slice(9), 'base64');
};

describe('media in messages to an upstream account', () => {
  it('a file under the roots and a URL arrive as their content', async () => {
    await api.ok('send_group_msg', {
      group_id: GROUP,
      message: `look [CQ:image,file=file://${allowed}/pic.png][CQ:image,file=${files.url('/pic.png')}]`,
    });
    const [, local, remote] = lastSent();
    expect(Buffer.compare(bytesOf(local!.data.file), PNG)).toBe(0);
    expect(Buffer.compare(bytesOf(remote!.data.file), PNG)).toBe(0);
  });

  it('download_file, then sending the path it answered, works', async () => {
    const { file } = await api.ok<{ file: string }>('download_file', {
      url: `${files.url('/pic.png')}`,
    });
    await api.ok('send_group_msg', {
      group_id: GROUP,
      message: [{ type: 'image', data: { file: `file://${file}` } }],
    });
    expect(Buffer.compare(bytesOf(lastSent()[0]!.data.file), PNG)).toBe(0);
  });

  it('a path outside the roots or a private address is never handed over to be opened', async () => {
    await api.ok('send_group_msg', {
      group_id: GROUP,
      message: '[CQ:image,file=file:///etc/passwd][CQ:image,file=http://10.1.2.3/x.png]',
    });
    const sent = lastSent();
    expect(sent.every(s => s.type === 'text')).toBe(true);
    expect(JSON.stringify(sent)).not.toMatch(/"type":"image"/);
  });

  it('names the upstream gave, and base64 content, pass as they are', async () => {
    const inline = `base64://${PNG.toString('base64')}`;
    await api.ok('send_group_msg', {
      group_id: GROUP,
      message: [
        { type: 'image', data: { file: 'ABCDEF0123.jpg' } },
        { type: 'image', data: { file: inline } },
      ],
    });
    expect(lastSent().map(s => s.data.file)).toEqual(['ABCDEF0123.jpg', inline]);
  });

  it('an image over the seed’s 30 MB fails the send; the upstream is not asked', async () => {
    const big = join(allowed, 'big.png');
    await writeFile(big, Buffer.concat([PNG, Buffer.alloc(31 * 1024 * 1024)]));
    const before = upstream.calls.length;
    const res = await api.call('send_group_msg', {
      group_id: GROUP,
      message: [{ type: 'image', data: { file: `file://${big}` } }],
    });
    expect(res).toMatchObject({ status: 'failed', msg: 'MEDIA_TOO_LARGE' });
    expect(upstream.calls.length).toBe(before);
  });
});

describe('file parameters of an upstream account', () => {
  it('upload_group_file gets the file’s content; a file outside the roots fails unasked', async () => {
    await api.ok('upload_group_file', {
      group_id: GROUP,
      file: join(allowed, 'report.txt'),
      name: 'report.txt',
    });
    const call = upstream.calls.filter(c => c.action === 'upload_group_file').at(-1)!;
    expect(bytesOf(call.params.file as string).toString()).toBe('a group file');
    const before = upstream.calls.length;
    const res = await api.call('upload_group_file', {
      group_id: GROUP,
      file: '/etc/passwd',
      name: 'x',
    });
    expect(res.status).toBe('failed');
    expect(upstream.calls.length).toBe(before);
    expect(await readFile('/etc/passwd', 'utf8')).toBeTruthy();
  });
});
