/**
 * Group AI voices (QQ's AI 声聊), simulated: a fixed list of characters, and voices that are a
 * pure function of (character, text) — the same request always gives the same bytes, served at
 * `/ai-voices/<character_id>.wav?text=…` (no `text`: the character's preview). A voice is an
 * 8 kHz 16-bit mono WAV of tones: one note per character of the text, its pitch chosen by a
 * SHA-256 digest of the character id and the text, silence for spaces and punctuation.
 * Documented in README.md ("Simulated AI voices").
 */
import { createHash } from 'node:crypto';
import type { Ops, SentMessage } from '@cqfleet/sim-client';
import { SimError } from '@cqfleet/sim-client';
import { sendGroupMessage } from './messages.js';
import type { WorldState } from './state.js';

type Wave = 'sine' | 'square' | 'triangle';

interface Character {
  id: string;
  name: string;
  /** The category get_ai_characters lists it under. */
  category: string;
  /** 1 speaks, 2 sings (get_ai_characters' `chat_type`). */
  chatType: 1 | 2;
  /** Pitch of the lowest note, Hz. */
  base: number;
  wave: Wave;
}

/** Every character, in the order get_ai_characters lists them. */
export const AI_CHARACTERS: readonly Character[] = [
  {
    id: 'sim-voice-girl',
    name: '元气少女',
    category: '推荐',
    chatType: 1,
    base: 440,
    wave: 'sine',
  },
  {
    id: 'sim-voice-boy',
    name: '阳光少年',
    category: '推荐',
    chatType: 1,
    base: 294,
    wave: 'triangle',
  },
  {
    id: 'sim-voice-narrator',
    name: '磁性旁白',
    category: '推荐',
    chatType: 1,
    base: 196,
    wave: 'sine',
  },
  {
    id: 'sim-voice-robot',
    name: '机器人',
    category: '趣味',
    chatType: 1,
    base: 523,
    wave: 'square',
  },
  {
    id: 'sim-voice-elder',
    name: '老爷爷',
    category: '趣味',
    chatType: 1,
    base: 165,
    wave: 'triangle',
  },
  { id: 'sim-voice-cat', name: '小猫咪', category: '趣味', chatType: 1, base: 784, wave: 'sine' },
  { id: 'sim-sing-idol', name: '偶像歌手', category: '唱歌', chatType: 2, base: 392, wave: 'sine' },
  {
    id: 'sim-sing-choir',
    name: '合唱团',
    category: '唱歌',
    chatType: 2,
    base: 262,
    wave: 'triangle',
  },
];

/** What a preview says. */
const PREVIEW_TEXT = '你好，欢迎来到 cqfleet';
/** Longest text a voice reads, in characters. */
export const MAX_AI_TEXT = 200;
const RATE = 8000;
/** Seconds per note: speaking is quick, singing holds each note. */
const NOTE_S = { 1: 0.12, 2: 0.3 } as const;
/** Pentatonic steps (semitones above the base): every voice stays in tune. */
const STEPS = [0, 2, 4, 7, 9, 12, 14, 16];
const FADE = 80;
const SILENT = /[\s\p{P}\p{S}]/u;

function character(id: string): Character {
  const c = AI_CHARACTERS.find(ch => ch.id === id);
  if (!c) throw new SimError('INVALID_PARAMS', `no AI voice character ${JSON.stringify(id)}`);
  return c;
}

function checkedText(text: string): string[] {
  const chars = [...text.trim()];
  if (chars.length === 0) throw new SimError('INVALID_PARAMS', 'an AI voice needs text');
  if (chars.length > MAX_AI_TEXT)
    throw new SimError('INVALID_PARAMS', `an AI voice reads at most ${MAX_AI_TEXT} characters`);
  return chars;
}

function sample(wave: Wave, phase: number): number {
  const x = phase - Math.floor(phase);
  if (wave === 'square') return x < 0.5 ? 0.6 : -0.6;
  if (wave === 'triangle') return 4 * Math.abs(x - 0.5) - 1;
  return Math.sin(2 * Math.PI * x);
}

function wav(pcm: Int16Array): Buffer {
  const data = pcm.length * 2;
  const b = Buffer.alloc(44 + data);
  b.write('RIFF', 0);
  b.writeUInt32LE(36 + data, 4);
  b.write('WAVEfmt ', 8);
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20); // PCM
  b.writeUInt16LE(1, 22); // mono
  b.writeUInt32LE(RATE, 24);
  b.writeUInt32LE(RATE * 2, 28);
  b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34);
  b.write('data', 36);
  b.writeUInt32LE(data, 40);
  Buffer.from(pcm.buffer, pcm.byteOffset, data).copy(b, 44);
  return b;
}

/** The voice of `characterId` saying `text` (its preview when `text` is undefined). */
export function aiVoiceBytes(characterId: string, text: string | undefined): Buffer {
  const c = character(characterId);
  const chars = checkedText(text ?? PREVIEW_TEXT);
  const digest = createHash('sha256')
    .update(`${c.id}\n${chars.join('')}`)
    .digest();
  const perNote = Math.round(NOTE_S[c.chatType] * RATE);
  const pcm = new Int16Array(perNote * chars.length);
  chars.forEach((ch, i) => {
    if (SILENT.test(ch)) return;
    const pick = (digest[i % digest.length] ?? 0) ^ ((ch.codePointAt(0) ?? 0) & 0xff);
    const freq = c.base * 2 ** ((STEPS[pick % STEPS.length] ?? 0) / 12);
    for (let n = 0; n < perNote; n++) {
      const envelope = Math.min(1, n / FADE, (perNote - 1 - n) / FADE);
      pcm[i * perNote + n] = Math.round(12_000 * envelope * sample(c.wave, (freq * n) / RATE));
    }
  });
  return wav(pcm);
}

function voiceUrl(w: WorldState, characterId: string, text?: string): string {
  const query = text === undefined ? '' : `?text=${encodeURIComponent(text)}`;
  return `${w.publicUrl}/ai-voices/${encodeURIComponent(characterId)}.wav${query}`;
}

/** The characters offered in a group the actor is in: chat_type 1 speaking (default), 2 singing. */
export function aiCharacters(
  w: WorldState,
  actor: number,
  groupId: number,
  chatType = 1,
): Ops['get_ai_characters']['result'] {
  w.memberGroup(actor, groupId);
  if (chatType !== 1 && chatType !== 2)
    throw new SimError('INVALID_PARAMS', 'chat_type must be 1 (speaking) or 2 (singing)');
  const categories: Ops['get_ai_characters']['result'] = [];
  for (const c of AI_CHARACTERS.filter(ch => ch.chatType === chatType)) {
    let category = categories.find(k => k.type === c.category);
    if (!category) categories.push((category = { type: c.category, characters: [] }));
    category.characters.push({
      character_id: c.id,
      character_name: c.name,
      preview_url: voiceUrl(w, c.id),
    });
  }
  return categories;
}

/** Where the voice of `characterId` saying `text` is served (checked, not sent). */
export function aiRecord(
  w: WorldState,
  actor: number,
  groupId: number,
  characterId: string,
  text: string,
): { url: string } {
  w.memberGroup(actor, groupId);
  character(characterId);
  checkedText(text);
  return { url: voiceUrl(w, characterId, text.trim()) };
}

/** Sends the voice to the group as a record, as the actor, under the rules of any message. */
export function sendAiRecord(
  w: WorldState,
  actor: number,
  groupId: number,
  characterId: string,
  text: string,
): SentMessage {
  w.memberGroup(actor, groupId);
  const said = text.trim();
  const bytes = aiVoiceBytes(characterId, said);
  // `text` is what the voice says (kept for voice-to-text); receivers get the voice alone.
  return sendGroupMessage(w, actor, groupId, [
    { type: 'record', data: { file: `base64://${bytes.toString('base64')}`, text: said } },
  ]);
}
