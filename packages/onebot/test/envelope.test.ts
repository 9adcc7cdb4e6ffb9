import { describe, expect, it } from 'vitest';
import {
  asyncAccepted,
  failedTag,
  ok,
  OneBotError,
  serialize,
  toFailure,
  withEcho,
} from '@cqfleet/onebot';

describe('envelope', () => {
  it('ok is go-cqhttp-shaped, keys in alphabetical order', () => {
    expect(serialize(ok({ message_id: 1 }))).toBe(
      '{"data":{"message_id":1},"message":"","retcode":0,"status":"ok"}\n',
    );
  });

  it('failed carries msg, wording and message = wording', () => {
    expect(serialize(failedTag('GROUP_NOT_FOUND'))).toBe(
      '{"data":null,"message":"群聊不存在","msg":"GROUP_NOT_FOUND","retcode":100,"status":"failed","wording":"群聊不存在"}\n',
    );
  });

  it('unknown action is retcode 404 API_NOT_FOUND', () => {
    expect(failedTag('API_NOT_FOUND')).toMatchObject({
      retcode: 404,
      msg: 'API_NOT_FOUND',
      wording: 'API不存在',
    });
  });

  it('group file deletes fail with retcode 200', () => {
    expect(failedTag('FILE_SYSTEM_DELETE_API_ERROR').retcode).toBe(200);
  });

  it('async is status async, retcode 1, data null', () => {
    expect(asyncAccepted()).toEqual({ data: null, message: '', retcode: 1, status: 'async' });
  });

  it.each([
    ['number', 7],
    ['string', 'abc'],
    ['object', { a: [1] }],
    ['null', null],
  ])('echo of type %s is returned unchanged, after data', (_type, echo) => {
    const body = withEcho(ok(null), true, echo);
    expect(body.echo).toEqual(echo);
    expect(Object.keys(body)).toEqual(['data', 'echo', 'message', 'retcode', 'status']);
  });

  it('no echo key when the request had none', () => {
    expect('echo' in withEcho(ok(null), false, undefined)).toBe(false);
  });

  it('toFailure keeps OneBot errors and hides anything else', () => {
    expect(toFailure(new OneBotError('MSG_NOT_FOUND'))).toMatchObject({
      retcode: 100,
      msg: 'MSG_NOT_FOUND',
    });
    const hidden = toFailure(new Error('secret stack detail'));
    expect(hidden).toMatchObject({ retcode: 100, msg: 'INTERNAL_ERROR' });
    expect(JSON.stringify(hidden)).not.toContain('secret');
  });
});
