/**
 * What an account's chat list keeps besides the messages: which messages from others it has not
 * read in each chat (a read mark or a send of its own clears a chat, a recall takes its message
 * out), and what the voices said (QQ's speech-to-text). Both are made on first use (state.ts
 * `UserState.unread`, `WorldState.voiceTexts`).
 *
 * Transcripts: a voice someone "says" with a text — a `record` element with `text` (the control
 * API: `[CQ:record,file=…,text=what it says]`), or a `tts` element, whose text is what it says
 * — is kept under the voice's content name, so the same voice reads the same wherever it is
 * forwarded; the newest are kept, bounded in count and bytes (text-limits.ts). A voice nobody
 * gave a text to reads as a few words picked from a fixed list by the bytes of its content name:
 * deterministic (the same voice always reads the same, different voices differently), never one
 * fixed placeholder.
 */
import { createHash } from 'node:crypto';
import { type Segment, valueToString } from '@cqfleet/onebot';
import { mediaName } from './elements.js';
import type { WorldState } from './state.js';
import { MAX_VOICE_TEXT_BYTES, MAX_VOICE_TEXTS } from './text-limits.js';

/** The key of a chat in `UserState.recent` and `UserState.unread`. */
export const chatKey = (chat: 'group' | 'private', peer: number): string => `${chat}:${peer}`;

/** QQ shows "99+"; more is not kept. */
const MAX_UNREAD = 999;

/**
 * A message from someone else arrived in the chat: `ref` names it (a group's seq, a private
 * message's `<sender>:<seq>`), so a recall can take it back out. Accounts only: people do not
 * read, and a big world's people would keep every message.
 */
export function bumpUnread(w: WorldState, uin: number, key: string, ref: string): void {
  const u = w.users.get(uin);
  if (!u?.isAccount) return;
  const chats = (u.unread ??= new Map());
  let refs = chats.get(key);
  if (!refs) chats.set(key, (refs = new Set()));
  refs.add(ref);
  if (refs.size > MAX_UNREAD) refs.delete(refs.values().next().value!);
}

/** A message was recalled: it is unread no more for `uins`. */
export function forgetUnread(
  w: WorldState,
  uins: Iterable<number>,
  key: string,
  ref: string,
): void {
  for (const uin of uins) w.users.get(uin)?.unread?.get(key)?.delete(ref);
}

/** The chat was read (a read mark, or the user sent to it). */
export function clearUnread(w: WorldState, uin: number, key: string): void {
  w.users.get(uin)?.unread?.delete(key);
}

export function clearAllUnread(w: WorldState, uin: number): void {
  w.users.get(uin)?.unread?.clear();
}

export function unreadCount(w: WorldState, uin: number, key: string): number {
  return w.users.get(uin)?.unread?.get(key)?.size ?? 0;
}

/** Keeps the text of every voice in `input` that says what it says (before `deliverable`). */
export function noteVoiceTexts(w: WorldState, input: readonly Segment[]): void {
  for (const el of input) {
    const d = el.data ?? {};
    const said = valueToString(d.text ?? '');
    if (el.type === 'record' && said) {
      const source = valueToString(d.file ?? '') || valueToString(d.url ?? '');
      keepVoiceText(w, mediaName(source, 'amr'), said);
    } else if (el.type === 'tts' && said) {
      keepVoiceText(w, mediaName(`tts:${said}`, 'amr'), said);
    }
  }
}

/**
 * Keeps one transcript as the newest, then drops the oldest past MAX_VOICE_TEXTS or
 * MAX_VOICE_TEXT_BYTES (a message's own transcript is within 64 KiB, so it always stays).
 */
function keepVoiceText(w: WorldState, name: string, said: string): void {
  const texts = (w.voiceTexts ??= new Map());
  const before = texts.get(name);
  if (before !== undefined) {
    texts.delete(name);
    w.voiceTextBytes -= Buffer.byteLength(before);
  }
  texts.set(name, said);
  w.voiceTextBytes += Buffer.byteLength(said);
  while (
    texts.size > 1 &&
    (texts.size > MAX_VOICE_TEXTS || w.voiceTextBytes > MAX_VOICE_TEXT_BYTES)
  ) {
    const [oldest, text] = texts.entries().next().value!;
    texts.delete(oldest);
    w.voiceTextBytes -= Buffer.byteLength(text);
  }
}

const WORDS = [
  '你好',
  '今天',
  '天气',
  '不错',
  '我们',
  '一起',
  '去',
  '吃饭',
  '明天',
  '见',
  '好的',
  '收到',
  '谢谢',
  '没问题',
  '开会',
  '下午',
  '晚上',
  '周末',
  '出发',
  '回家',
  '等',
  '一下',
  '马上',
  '到',
  '哈哈',
  '真的',
  '可以',
  '吗',
  '是',
  '这个',
  '那个',
  '呢',
];

/** What the voice named `name` (`<md5>.amr`) says. */
export function voiceText(w: WorldState, name: string): string {
  const kept = w.voiceTexts?.get(name);
  if (kept) return kept;
  const digest = createHash('md5').update(name).digest();
  const count = 3 + (digest[0]! % 6);
  const words: string[] = [];
  for (let i = 1; i <= count; i++) words.push(WORDS[digest[i]! % WORDS.length]!);
  return words.join('');
}
