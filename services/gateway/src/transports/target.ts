/**
 * Which account a request is for (ARCHITECTURE "Addressing many accounts"): a `/{self_id}/`
 * path prefix, else the `X-Self-ID` header, else a `self_id` parameter, else the only account
 * there is. Ambiguity or an unknown account is a failure that says so.
 */
import { OneBotError } from '@cqfleet/onebot';
import type { AccountDirectory } from '../accounts/directory.js';

/** Splits `/10001/send_msg` into the account prefix and the rest of the path. */
export function splitAccountPrefix(path: string): { selfId?: number; rest: string } {
  const m = /^\/(\d{1,19})(\/.*)?$/.exec(path);
  if (!m) return { rest: path };
  return { selfId: Number(m[1]), rest: m[2] ?? '/' };
}

export function pickAccount(
  directory: AccountDirectory,
  fromPath: number | undefined,
  fromHeader: string | string[] | undefined,
  fromParam: unknown,
): number {
  const header = Array.isArray(fromHeader) ? fromHeader[0] : fromHeader;
  const candidate =
    fromPath ??
    (header && /^\d+$/.test(header.trim()) ? Number(header) : undefined) ??
    (typeof fromParam === 'number' || (typeof fromParam === 'string' && /^\d+$/.test(fromParam))
      ? Number(fromParam)
      : undefined);
  if (candidate !== undefined) {
    if (!directory.has(candidate))
      throw new OneBotError('ACCOUNT_NOT_FOUND', `账号 ${candidate} 不存在`);
    return candidate;
  }
  const all = directory.list();
  if (all.length === 1) return all[0]!;
  throw new OneBotError(
    'ACCOUNT_NOT_SPECIFIED',
    all.length === 0
      ? '没有可用的账号'
      : `有 ${all.length} 个账号, 请在路径 /{self_id}/、X-Self-ID 或 self_id 中指定`,
  );
}
