/**
 * Which account a request is for (ARCHITECTURE "Addressing many accounts"): a `/{self_id}/`
 * path prefix, else the `X-Self-ID` header, else a `self_id` parameter, else the only account
 * the token may use. An unknown account, one the token may not use, or an ambiguous request is
 * a failure that says so.
 */
import { OneBotError } from '@cqfleet/onebot';
import type { AccountLookup } from '../accounts/directory.js';
import { allowsAccount, type Grant } from '../auth/tokens.js';

/** Splits `/10001/send_msg` into the account prefix and the rest of the path. */
export function splitAccountPrefix(path: string): { selfId?: number; rest: string } {
  const m = /^\/(\d{1,19})(\/.*)?$/.exec(path);
  if (!m) return { rest: path };
  return { selfId: Number(m[1]), rest: m[2] ?? '/' };
}

function asId(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  if (typeof value === 'string' && /^\d{1,19}$/.test(value.trim())) return Number(value.trim());
  return undefined;
}

/**
 * True when the path or the header names the account: a `self_id` parameter (maybe in the
 * body) cannot change it, so the account is known before the body is read.
 */
export function namedBeforeBody(
  fromPath: number | undefined,
  fromHeader: string | string[] | undefined,
): boolean {
  return (
    fromPath !== undefined ||
    asId(Array.isArray(fromHeader) ? fromHeader[0] : fromHeader) !== undefined
  );
}

export function pickAccount(
  directory: AccountLookup,
  grant: Grant,
  fromPath: number | undefined,
  fromHeader: string | string[] | undefined,
  fromParam: unknown,
): number {
  const candidate =
    fromPath ?? asId(Array.isArray(fromHeader) ? fromHeader[0] : fromHeader) ?? asId(fromParam);
  if (candidate !== undefined) {
    if (!allowsAccount(grant, candidate))
      throw new OneBotError('ACCOUNT_FORBIDDEN', `该令牌无权使用账号 ${candidate}`);
    if (!directory.has(candidate))
      throw new OneBotError('ACCOUNT_NOT_FOUND', `账号 ${candidate} 不存在`);
    return candidate;
  }
  const usable = directory.list().filter(uin => allowsAccount(grant, uin));
  if (usable.length === 1) return usable[0]!;
  throw new OneBotError(
    'ACCOUNT_NOT_SPECIFIED',
    usable.length === 0
      ? '没有可用的账号'
      : `有 ${usable.length} 个账号, 请在路径 /{self_id}/、X-Self-ID 或 self_id 中指定`,
  );
}
