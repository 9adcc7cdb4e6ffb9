/**
 * How an operation of the QQ side is written down (ops/*.ts): its arguments and its result as
 * zod schemas, and the pieces several domains share.
 */
import { z } from 'zod';
import { optInt } from './wire.js';

export interface OpSpec<A extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
  args: A;
  result: R;
}

export const op = <A extends z.ZodType, R extends z.ZodType>(args: A, result: R): OpSpec<A, R> => ({
  args,
  result,
});

/** No arguments. */
export const none = z.object({});
/** No result (`null`). */
export const ok = z.null();

/**
 * Arguments that name a chat: `group_id` when given, else `user_id`, read into `chat`
 * (`{group_id}` or `{user_id}`); a call naming neither is refused.
 */
export const withChat = <S extends z.ZodRawShape>(shape: S) =>
  z.object({ group_id: optInt, user_id: optInt, ...shape }).transform((a, ctx) => {
    const { group_id, user_id, ...rest } = a as { group_id?: number; user_id?: number };
    const chat: { group_id: number } | { user_id: number } | undefined =
      group_id !== undefined ? { group_id } : user_id !== undefined ? { user_id } : undefined;
    if (!chat) {
      ctx.addIssue({ code: 'custom', path: ['user_id'], message: 'must be an integer' });
      return z.NEVER;
    }
    return { ...(rest as z.output<z.ZodObject<S>>), chat };
  });

/** The kinds of media the QQ side stores. */
export const mediaKind = z.enum(['image', 'record', 'video']);
