/**
 * The whole path through real processes (issue 2, point 12): a simulated person speaks in a
 * group → a forward-WS client of account 10001 receives the go-cqhttp-shaped event; the client
 * sends through the HTTP API → the simulator shows the message and account 10002 receives it;
 * get_msg on the returned id returns it.
 */
import { messageId } from '@cqfleet/onebot';
import { SimControl } from '@cqfleet/sim-client';
import {
  OneBotHttp,
  OneBotWs,
  startTestCluster,
  type TestCluster,
  waitFor,
} from '@cqfleet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let cluster: TestCluster;
let alpha: OneBotWs;
let beta: OneBotWs;
let sim: SimControl;

beforeAll(async () => {
  cluster = await startTestCluster();
  sim = new SimControl(cluster.simulatorUrl);
  alpha = await OneBotWs.connect(`${cluster.wsUrl}/10001/`);
  beta = await OneBotWs.connect(`${cluster.wsUrl}/`, { 'X-Self-ID': '10002' });
  // Both accounts are online once their login info can be read.
  const http = new OneBotHttp(cluster.httpUrl);
  await waitFor(
    async () =>
      (await http.call('get_login_info', { self_id: 10002 })).status === 'ok' ? true : undefined,
    15_000,
    'accounts online',
  );
});

afterAll(async () => {
  await alpha?.close();
  await beta?.close();
  await cluster?.stop();
});

describe('walking skeleton', () => {
  it('a forward-WS client gets lifecycle connect first', () => {
    expect(alpha.events[0]).toMatchObject({
      post_type: 'meta_event',
      meta_event_type: 'lifecycle',
      sub_type: 'connect',
      self_id: 10001,
    });
  });

  it('person → group → bot: a go-cqhttp message/group/normal event', async () => {
    const said = await sim.sendGroupMsg(20001, 100100, 'hello &#91;bots&#93; [CQ:face,id=14]');
    const event = await alpha.waitForEvent(
      e => e.post_type === 'message' && e.message_id === said.message_id,
      10_000,
    );
    expect(event).toEqual({
      post_type: 'message',
      message_type: 'group',
      time: expect.any(Number),
      self_id: 10001,
      sub_type: 'normal',
      message_id: messageId(100100, said.seq),
      message_seq: said.seq,
      group_id: 100100,
      user_id: 20001,
      anonymous: null,
      message: 'hello &#91;bots&#93; [CQ:face,id=14]',
      message_format: 'string',
      raw_message: 'hello &#91;bots&#93; [CQ:face,id=14]',
      font: 0,
      sender: {
        user_id: 20001,
        nickname: 'Alice',
        card: 'Alice (admin)',
        role: 'admin',
        title: '',
        age: 24,
        area: '',
        level: '45',
        sex: 'female',
      },
    });
    expect(Object.keys(event).slice(0, 5)).toEqual([
      'post_type',
      'message_type',
      'time',
      'self_id',
      'sub_type',
    ]);
  });

  it('bot → HTTP send_group_msg → simulator and the other bot → get_msg', async () => {
    const http = new OneBotHttp(cluster.httpUrl);
    const sent = await http.call<{ message_id: number }>(
      'send_group_msg',
      {
        group_id: 100100,
        message: [
          { type: 'text', data: { text: 'reply from alpha ' } },
          { type: 'at', data: { qq: 20001 } },
        ],
      },
      { 'X-Self-ID': '10001' },
    );
    expect(sent).toMatchObject({
      status: 'ok',
      retcode: 0,
      data: { message_id: expect.any(Number) },
    });
    if (sent.status !== 'ok') throw new Error('unreachable');
    const id = sent.data.message_id;

    const inGroup = await sim.groupMessages(100100, 5);
    expect(inGroup.at(-1)).toMatchObject({
      message_id: id,
      sender_id: 10001,
      message: 'reply from alpha [CQ:at,qq=20001]',
    });

    const seen = await beta.waitForEvent(
      e => e.post_type === 'message' && e.message_id === id,
      10_000,
    );
    expect(seen).toMatchObject({
      self_id: 10002,
      group_id: 100100,
      user_id: 10001,
      raw_message: 'reply from alpha [CQ:at,qq=20001]',
      sender: { role: 'owner' },
    });

    const got = await http.call('get_msg', { message_id: id }, { 'X-Self-ID': '10001' });
    expect(got).toEqual({
      status: 'ok',
      retcode: 0,
      message: '',
      data: {
        message_id: id,
        message_id_v2: expect.stringMatching(/^[0-9a-f]{24}$/),
        message_type: 'group',
        real_id: inGroup.at(-1)!.seq,
        message_seq: inGroup.at(-1)!.seq,
        group: true,
        group_id: 100100,
        sender: { user_id: 10001, nickname: 'Fleet Alpha' },
        time: expect.any(Number),
        message: 'reply from alpha [CQ:at,qq=20001]',
      },
    });
    // The receiving account finds the same id in its own history.
    const asBeta = await new OneBotHttp(`${cluster.httpUrl}/10002`).ok<{ message_id: number }>(
      'get_msg',
      { message_id: id },
    );
    expect(asBeta.message_id).toBe(id);
  });

  it('unknown ids, unknown actions and unknown accounts fail in go-cqhttp envelopes', async () => {
    const http = new OneBotHttp(`${cluster.httpUrl}/10001`);
    expect(await http.call('get_msg', { message_id: 12345 })).toMatchObject({
      status: 'failed',
      retcode: 100,
      msg: 'MSG_NOT_FOUND',
    });
    expect(await http.call('no_such_action')).toMatchObject({
      status: 'failed',
      retcode: 404,
      msg: 'API_NOT_FOUND',
    });
    expect(await new OneBotHttp(`${cluster.httpUrl}/424242`).call('get_login_info')).toMatchObject({
      retcode: 100,
      msg: 'ACCOUNT_NOT_FOUND',
    });
    expect(await new OneBotHttp(cluster.httpUrl).call('get_login_info')).toMatchObject({
      retcode: 100,
      msg: 'ACCOUNT_NOT_SPECIFIED',
    });
    expect(await http.call('send_group_msg', { group_id: 999999, message: 'x' })).toMatchObject({
      retcode: 100,
      msg: 'GROUP_NOT_FOUND',
    });
  });
});
