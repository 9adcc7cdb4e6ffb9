/**
 * A realistic mix of stored messages for the history benchmark: 80 % group, 20 % private;
 * mostly short text, some long text, images with QQ-style file names and URLs, replies, at,
 * faces, records and the odd JSON card; Chinese and Latin names, cards and titles. The mix is
 * deterministic (seeded), so runs compare.
 */
import { type MessageEvent, messageId, type Segment, toCQString } from '@cqfleet/onebot';
import { rng } from './stats.js';

const HAN =
  '的一是不了人我在有他这为之大来以个中上们到说国和地也子时道出而要于就下得可你年生会自着去之过家学对可里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现';
const WORDS = [
  '哈哈',
  '好的',
  '收到',
  'ok',
  '666',
  '在吗',
  '晚安',
  '早',
  '？',
  'lol',
  'gg',
  '+1',
  '确实',
  '笑死',
];

export interface MixOptions {
  seed: number;
  groups: number;
  /** Accounts that see every group message (1: each group is seen by one account). */
  accountsPerGroup: number;
  peers: number;
}

export function* messageMix(n: number, o: MixOptions): Generator<MessageEvent> {
  const r = rng(o.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const han = (len: number) =>
    Array.from({ length: len }, () => HAN[int(0, HAN.length - 1)]).join('');
  const hex = (len: number) =>
    Array.from({ length: len }, () => '0123456789abcdef'[int(0, 15)]).join('');
  const members = Array.from({ length: 400 }, (_, i) => ({
    user_id: 100_000_000 + i * 7919,
    nickname: r() < 0.6 ? han(int(2, 6)) : `player_${hex(int(3, 8))}`,
    card: r() < 0.5 ? '' : han(int(2, 8)),
    title: r() < 0.9 ? '' : han(int(2, 4)),
    role: r() < 0.03 ? 'admin' : 'member',
    level: String(int(1, 100)),
  }));
  const groupSeq = new Map<number, number>();
  const privateSeq = new Map<number, number>();
  const body = (groupId?: number): Segment[] => {
    const kind = r();
    const text = (): Segment =>
      ({
        type: 'text',
        data: { text: r() < 0.3 ? pick(WORDS) : han(int(3, 30)) },
      }) as Segment;
    if (kind < 0.55) return [text()];
    if (kind < 0.7) return [{ type: 'text', data: { text: han(int(50, 300)) } } as Segment];
    if (kind < 0.8) {
      const md5 = hex(32).toUpperCase();
      return [
        {
          type: 'image',
          data: {
            file: `${md5}.jpg`,
            subType: r() < 0.2 ? '1' : '0',
            url: `https://multimedia.nt.qq.com.cn/download?appid=1407&fileid=${hex(88)}&rkey=${hex(64)}`,
            file_size: String(int(10_000, 2_000_000)),
          },
        } as Segment,
      ];
    }
    if (kind < 0.88)
      return [
        { type: 'reply', data: { id: String(messageId(groupId ?? 1, int(1, 1e6))) } } as Segment,
        text(),
      ];
    if (kind < 0.93)
      return [{ type: 'at', data: { qq: String(pick(members).user_id) } } as Segment, text()];
    if (kind < 0.97)
      return [{ type: 'face', data: { id: String(int(1, 300)) } } as Segment, text()];
    if (kind < 0.99)
      return [
        {
          type: 'record',
          data: {
            file: `${hex(32)}.amr`,
            url: `https://grouptalk.c2c.qq.com/?ver=2&rkey=${hex(96)}`,
          },
        } as Segment,
      ];
    return [
      {
        type: 'json',
        data: {
          data: JSON.stringify({
            app: 'com.tencent.miniapp_01',
            desc: han(10),
            prompt: `[QQ小程序]${han(8)}`,
            meta: {
              detail_1: { title: han(6), desc: han(20), url: `https://m.q.qq.com/a/s/${hex(32)}` },
            },
          }),
        },
      } as Segment,
    ];
  };

  let time = 1_764_000_000;
  for (let i = 0; i < n; i++) {
    time += r() < 0.5 ? 0 : 1;
    if (r() < 0.8) {
      const g = 700_000_000 + int(0, o.groups - 1);
      const seq = (groupSeq.get(g) ?? 0) + 1;
      groupSeq.set(g, seq);
      const m = pick(members);
      const message = body(g);
      for (let a = 0; a < o.accountsPerGroup; a++)
        yield {
          post_type: 'message',
          message_type: 'group',
          time,
          self_id: 10_001 + a,
          sub_type: 'normal',
          message_id: messageId(g, seq),
          message_seq: seq,
          group_id: g,
          user_id: m.user_id,
          anonymous: null,
          message,
          message_format: 'array',
          raw_message: toCQString(message),
          font: 0,
          sender: {
            user_id: m.user_id,
            nickname: m.nickname,
            card: m.card,
            role: m.role,
            title: m.title,
            age: 0,
            area: '',
            level: m.level,
            sex: 'unknown',
          },
        } as MessageEvent;
    } else {
      const peer = pick(members.slice(0, o.peers));
      const fromPeer = r() < 0.5;
      const from = fromPeer ? peer.user_id : 10_001;
      const seq = (privateSeq.get(from) ?? 0) + 1;
      privateSeq.set(from, seq);
      const message = body();
      yield {
        post_type: fromPeer ? 'message' : 'message_sent',
        message_type: 'private',
        time,
        self_id: 10_001,
        sub_type: 'friend',
        message_id: messageId(from, seq),
        message_seq: seq,
        user_id: from,
        target_id: fromPeer ? 10_001 : peer.user_id,
        message,
        message_format: 'array',
        raw_message: toCQString(message),
        font: 0,
        sender: {
          user_id: from,
          nickname: fromPeer ? peer.nickname : 'cqfleet bot',
          sex: 'unknown',
          age: 0,
        },
      } as MessageEvent;
    }
  }
}
