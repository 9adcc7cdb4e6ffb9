import { describe, expect, it } from 'vitest';
import { ActionReply, ActionRequest, MessageFormat } from '@cqfleet/proto';

describe('proto - action messages', () => {
  it('an ActionRequest survives encode/decode, ids and JSON bytes intact', () => {
    const req = ActionRequest.fromPartial({
      callId: 2 ** 40,
      selfId: 10001,
      action: 'send_group_msg',
      paramsJson: Buffer.from('{"group_id":100100}'),
      messageFormat: MessageFormat.MESSAGE_FORMAT_ARRAY,
      deadlineMs: 5000,
      fence: 7,
    });
    const back = ActionRequest.decode(ActionRequest.encode(req).finish());
    expect(back.callId).toBe(2 ** 40);
    expect(back.selfId).toBe(10001);
    expect(Buffer.from(back.paramsJson).toString()).toBe('{"group_id":100100}');
    expect(back.messageFormat).toBe(MessageFormat.MESSAGE_FORMAT_ARRAY);
    expect(back.fence).toBe(7);
  });

  it('a failure reply keeps its retcode, tag and wording', () => {
    const reply = ActionReply.fromPartial({
      callId: 1,
      retcode: 100,
      msg: 'GROUP_NOT_FOUND',
      wording: '群聊不存在',
      executed: true,
    });
    expect(ActionReply.decode(ActionReply.encode(reply).finish())).toMatchObject({
      retcode: 100,
      msg: 'GROUP_NOT_FOUND',
      wording: '群聊不存在',
      executed: true,
    });
  });
});
