/**
 * What crosses the console's simulator proxy (sim-proxy.ts), validated at the border both ways:
 * the page's bodies before anything is sent to the simulator, and the simulator's answers before
 * anything of them is passed on.
 *
 * A message from the page is an array of OneBot segments limited to what the demo chat sends:
 * `text`, `face` (a QQ face id) and at most one `image` given as `base64://` data of at most
 * {@link MAX_IMAGE_BYTES} bytes. Nothing else (no URLs, no files, no CQ strings): the proxy
 * cannot be used to make the simulator fetch anything.
 */
import { z } from 'zod';

/** The largest image the demo chat sends, decoded. */
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;
/** Its base64 form (4 characters for every 3 bytes, padded). */
export const MAX_IMAGE_BASE64 = Math.ceil(MAX_IMAGE_BYTES / 3) * 4;
/** The largest body the proxy reads: one image and some text, with room for the JSON. */
export const MAX_SEND_BODY_BYTES = MAX_IMAGE_BASE64 + 64 * 1024;
/** Text of one message, every text segment together (QQ's own limit is about 4,500). */
export const MAX_TEXT_CHARS = 4500;
export const MAX_SEGMENTS = 50;
/** Messages a chat view may ask for at once. */
export const MAX_MESSAGES = 200;

const id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

const TextSegment = z
  .object({
    type: z.literal('text'),
    data: z.object({ text: z.string().min(1).max(MAX_TEXT_CHARS) }).strict(),
  })
  .strict();

const FaceSegment = z
  .object({
    type: z.literal('face'),
    data: z
      .object({
        id: z.union([
          z.number().int().min(0).max(9999),
          z.string().regex(/^\d{1,4}$/, 'a face id is a number'),
        ]),
      })
      .strict(),
  })
  .strict();

const ImageSegment = z
  .object({
    type: z.literal('image'),
    data: z
      .object({
        file: z
          .string()
          .max(9 + MAX_IMAGE_BASE64, `an image is at most ${MAX_IMAGE_BYTES} bytes`)
          .regex(/^base64:\/\/[A-Za-z0-9+/]+={0,2}$/, 'an image is sent as base64://…'),
      })
      .strict(),
  })
  .strict();

/** A demo-chat message: text, faces and at most one image, not empty. */
export const SimMessage = z
  .array(z.discriminatedUnion('type', [TextSegment, FaceSegment, ImageSegment]))
  .min(1, 'the message is empty')
  .max(MAX_SEGMENTS)
  .superRefine((segments, ctx) => {
    const images = segments.filter(s => s.type === 'image').length;
    if (images > 1) ctx.addIssue({ code: 'custom', message: 'at most one image a message' });
    const text = segments.reduce((n, s) => n + (s.type === 'text' ? s.data.text.length : 0), 0);
    if (text > MAX_TEXT_CHARS)
      ctx.addIssue({ code: 'custom', message: `at most ${MAX_TEXT_CHARS} characters of text` });
  })
  // Face ids go on as strings, as OneBot segments carry them.
  .transform(segments =>
    segments.map(s => (s.type === 'face' ? { type: s.type, data: { id: String(s.data.id) } } : s)),
  );

export const SendGroupBody = z.object({ group_id: id, message: SimMessage }).strict();
export const SendPrivateBody = z.object({ user_id: id, message: SimMessage }).strict();

// ---- the simulator's answers (services/simulator/README.md, control API) ----

export const SimWorld = z.object({
  accounts: z.array(z.object({ user_id: id, online: z.boolean() })).max(100_000),
  groups: z
    .array(z.object({ group_id: id, group_name: z.string().max(200), members: z.number() }))
    .max(100_000),
});

export const SimMembers = z.object({
  members: z
    .array(
      z.object({
        user_id: id,
        nickname: z.string().max(200),
        card: z.string().max(200).default(''),
        role: z.enum(['owner', 'admin', 'member']).default('member'),
      }),
    )
    .max(100_000),
});

export const SimFriends = z.object({
  result: z
    .array(z.object({ user_id: id, nickname: z.string().max(200), remark: z.string().max(200) }))
    .max(100_000),
});

export const SimMessages = z.object({
  messages: z
    .array(
      z.object({
        seq: z.number(),
        message_id: z.number(),
        time: z.number(),
        sender_id: id,
        group_id: id.optional(),
        target_id: id.optional(),
        recalled: z.boolean(),
        elements: z
          .array(z.object({ type: z.string().max(64), data: z.record(z.string(), z.unknown()) }))
          .max(1000),
      }),
    )
    .max(10_000),
});

export const SimSent = z.object({ seq: z.number(), time: z.number(), message_id: z.number() });

export const SimError = z.object({
  error: z.object({ code: z.string().max(100), message: z.string().max(2000) }),
});

/** The first problem of a failed parse, as one line for an error answer. */
export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  const at = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  return `${at}${issue.message}`;
}
