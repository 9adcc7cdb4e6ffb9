/**
 * The stored form of a message: a msgpack tuple of what varies, without what can be derived.
 *
 * Left out, because they are derived on reading: `self_id` (the reader), `post_type`
 * (`message_sent` exactly when the sender is the reader), `message_id` (the CRC of chat code
 * and seq, reference §4.5 — kept, as a last element, only when the event's id is another: an
 * upstream implementation's own id, NapCat's or Lagrange's), `raw_message` (the CQ string of `message`), `font` (always 0),
 * `message_format` (always `array` inside the cluster) and the sender's `user_id`. So one
 * record serves every account that saw a group message, and decoding rebuilds the event the
 * session published, key order included (test/codec.test.ts).
 *
 * Records above COMPRESS_FROM bytes are deflated with a preset dictionary of the words
 * messages repeat (segment names, data keys, URL parts); the first byte says which form
 * follows. The threshold and the dictionary come from `npm run bench -- history`
 * (services/history/README.md has the figures).
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import {
  type Anonymous,
  buildEvent,
  type GroupMessageEvent,
  type MessageEvent,
  messageId,
  type PrivateMessageEvent,
  type Segment,
  toCQString,
} from '@cqfleet/onebot';
import type { ForwardNodeRecord } from '@cqfleet/contracts';
import { Packr } from 'msgpackr';

const packr = new Packr({ useRecords: false, variableMapSize: true });

const PLAIN = 0;
const DEFLATED = 1;

/** Records at least this long are deflated (smaller ones do not shrink enough to pay). */
export const COMPRESS_FROM = 200;

/** Words that stored messages repeat; deflate refers back to them instead of repeating them. */
const DICTIONARY = Buffer.from(
  [
    'https://multimedia.nt.qq.com.cn/download?appid=1407&fileid=',
    'http://127.0.0.1:5900/media/image/',
    '.image',
    'subType',
    'summary',
    'file_size',
    'url',
    'file',
    'text',
    'image',
    'face',
    'reply',
    'at',
    'qq',
    'id',
    'record',
    'video',
    'forward',
    'json',
    'member',
    'admin',
    'owner',
    'unknown',
    'male',
    'female',
  ].join(''),
);

const ROLES = ['member', 'admin', 'owner'] as const;
const SEXES = ['unknown', 'male', 'female'] as const;
const GROUP_SUB = ['normal', 'anonymous', 'notice'] as const;
const PRIVATE_SUB = ['friend', 'group', 'other'] as const;

const code = <T extends string>(table: readonly T[], value: T): number =>
  Math.max(0, table.indexOf(value));
const named = <T extends string>(table: readonly T[], index: unknown): T =>
  table[typeof index === 'number' ? index : 0] ?? table[0]!;

type Elements = Array<[string, Record<string, unknown>]>;
const packElements = (m: Segment[]): Elements => m.map(s => [s.type, s.data]);
const unpackElements = (e: Elements): Segment[] =>
  e.map(([type, data]) => ({ type, data }) as Segment);

/**
 * Group: [0, time, seq, user_id, sub, anonymous, [nickname, card, role, title, age, area,
 * level, sex], elements, message_id?] — message_id only when it is not the derived one.
 */
type GroupRecord = [
  0,
  number,
  number,
  number,
  number,
  Anonymous | null,
  [string, string, number, string, number, string, string, number],
  Elements,
  number?,
];
/** Private: [1, time, seq, user_id, target_id, sub, temp_source, [nickname, sex, age], elements, message_id?] */
type PrivateRecord = [
  1,
  number,
  number,
  number,
  number,
  number,
  number | null,
  [string, number, number],
  Elements,
  number?,
];

/** `compressFrom`: records at least this long are deflated (Infinity: never). */
export function encodeMessage(m: MessageEvent, compressFrom = COMPRESS_FROM): Buffer {
  const s = m.sender;
  const record: GroupRecord | PrivateRecord =
    m.message_type === 'group'
      ? [
          0,
          m.time,
          m.message_seq,
          m.user_id,
          code(GROUP_SUB, m.sub_type),
          m.anonymous,
          [
            m.sender.nickname,
            m.sender.card,
            code(ROLES, m.sender.role),
            m.sender.title,
            m.sender.age,
            m.sender.area,
            m.sender.level,
            code(SEXES, m.sender.sex),
          ],
          packElements(m.message),
        ]
      : [
          1,
          m.time,
          m.message_seq,
          m.user_id,
          m.target_id,
          code(PRIVATE_SUB, m.sub_type),
          m.temp_source ?? null,
          [s.nickname, code(SEXES, s.sex), s.age],
          packElements(m.message),
        ];
  const derived =
    m.message_type === 'group'
      ? messageId(m.group_id, m.message_seq)
      : messageId(m.user_id, m.message_seq);
  if (m.message_id !== derived) record.push(m.message_id);
  const packed = packr.pack(record);
  if (packed.length < compressFrom) return Buffer.concat([Buffer.of(PLAIN), packed]);
  const deflated = deflateRawSync(packed, { dictionary: DICTIONARY });
  return deflated.length < packed.length
    ? Buffer.concat([Buffer.of(DEFLATED), deflated])
    : Buffer.concat([Buffer.of(PLAIN), packed]);
}

/**
 * The most a record inflates to: what history stores came in one stream message (nats-server
 * allows 64 MiB at most). A record that would inflate further is not one of ours (a bomb
 * written by something else): it reads as absent, its inflation stopped there.
 */
const MAX_RECORD_BYTES = 64 * 1024 * 1024;

/** The message fields every message event has, in go-cqhttp's order. */
function messageFields(elements: Elements) {
  const message = unpackElements(elements);
  return {
    message,
    message_format: 'array' as const,
    raw_message: toCQString(message),
    font: 0,
  };
}

/**
 * The event as `selfId` sees it. A group record does not hold its group (the key it is stored
 * under does), so `groupId` must be given for one. Throws on a record that is not one of ours.
 */
export function decodeMessage(bytes: Buffer, selfId: number, groupId = 0): MessageEvent {
  const body = bytes.subarray(1);
  const raw =
    bytes[0] === DEFLATED
      ? inflateRawSync(body, { dictionary: DICTIONARY, maxOutputLength: MAX_RECORD_BYTES })
      : body;
  const r = packr.unpack(raw) as GroupRecord | PrivateRecord;
  const postType = r[3] === selfId ? 'message_sent' : 'message';
  if (r[0] === 0) {
    if (!groupId) throw new Error('a group record needs its group id');
    const [, time, seq, userId, sub, anonymous, s, elements, id] = r;
    return buildEvent<GroupMessageEvent>(postType, 'group', selfId, time, named(GROUP_SUB, sub), {
      message_id: id ?? messageId(groupId, seq),
      message_seq: seq,
      group_id: groupId,
      user_id: userId,
      anonymous,
      ...messageFields(elements),
      sender: {
        user_id: userId,
        nickname: s[0],
        card: s[1],
        role: named(ROLES, s[2]),
        title: s[3],
        age: s[4],
        area: s[5],
        level: s[6],
        sex: named(SEXES, s[7]),
      },
    });
  }
  const [, time, seq, userId, targetId, sub, temp, s, elements, id] = r;
  return buildEvent<PrivateMessageEvent>(
    postType,
    'private',
    selfId,
    time,
    named(PRIVATE_SUB, sub),
    {
      ...(temp !== null ? { temp_source: temp } : {}),
      message_id: id ?? messageId(userId, seq),
      message_seq: seq,
      user_id: userId,
      target_id: targetId,
      ...messageFields(elements),
      sender: {
        user_id: userId,
        nickname: s[0],
        sex: named(SEXES, s[1]),
        age: s[2],
        ...(temp !== null ? { group_id: temp } : {}),
      },
    },
  );
}

/** A forward message's nodes, as kept under `f:<resid>`. */
export function encodeForward(nodes: readonly ForwardNodeRecord[]): Buffer {
  return packr.pack(
    nodes.map(n => [n.user_id, n.nickname, n.time, n.group_id ?? null, packElements(n.message)]),
  );
}

export function decodeForward(bytes: Buffer): ForwardNodeRecord[] {
  const rows = packr.unpack(bytes) as Array<[number, string, number, number | null, Elements]>;
  return rows.map(([user_id, nickname, time, group_id, elements]) => ({
    user_id,
    nickname,
    time,
    ...(group_id !== null ? { group_id } : {}),
    message: unpackElements(elements),
  }));
}
