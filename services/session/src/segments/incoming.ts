/**
 * Elements as the QQ side delivers them → OneBot receive-side segments (reference §4.4):
 * `reply` gets the `message_id` clients use everywhere (plus seq / qq / time / text with
 * `extra-reply-data`), `at` carries only `qq`; everything else already has its receive shape.
 */
import { messageId, type Segment } from '@cqfleet/onebot';

export interface IncomingOptions {
  extraReplyData: boolean;
}

/** `groupId` for group messages; private replies are computed from the replied-to sender. */
export function incomingSegments(
  elements: readonly Segment[],
  groupId: number | undefined,
  options: IncomingOptions,
): Segment[] {
  return elements.map(el => {
    if (el.type === 'reply') {
      const seq = Number(el.data.seq ?? NaN);
      const qq = Number(el.data.qq ?? NaN);
      const code = groupId ?? qq;
      const id =
        el.data.id ??
        (Number.isFinite(seq) && Number.isFinite(code) ? String(messageId(code, seq)) : '0');
      const data: Record<string, string> = { id };
      if (options.extraReplyData)
        for (const key of ['seq', 'qq', 'time', 'text'] as const)
          if (el.data[key] !== undefined) data[key] = el.data[key]!;
      return { type: 'reply', data };
    }
    if (el.type === 'at') return { type: 'at', data: { qq: el.data.qq ?? '' } };
    return el;
  });
}
