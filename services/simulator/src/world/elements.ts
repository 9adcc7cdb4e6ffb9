/**
 * What the network does to message elements on their way: media gets a content name and a
 * URL, services (music, cardimage, tts) become the cards and voices receivers actually see,
 * dice and rock-paper-scissors get their random values.
 */
import { createHash } from 'node:crypto';
import { normalizeSegments, type Segment, valueToString } from '@cqfleet/onebot';
import { keepMedia } from './media-store.js';
import type { WorldState } from './state.js';

const SHOW_EFFECTS = new Set(['40000', '40001', '40002', '40003', '40004', '40005']);
const MEDIA = { image: 'image', record: 'amr', video: 'video' } as const;

function md5(text: string): string {
  return createHash('md5').update(text).digest('hex');
}

/** `<md5>.<ext>` of a media reference: the content's hash for base64 data, the reference's otherwise. */
export function mediaName(file: string, ext: string): string {
  if (new RegExp(`^[0-9a-f]{32}\\.${ext}$`).test(file)) return file;
  if (file.startsWith('base64://'))
    return `${createHash('md5')
      .update(Buffer.from(file.slice(9), 'base64'))
      .digest('hex')}.${ext}`;
  return `${md5(file)}.${ext}`;
}

function musicCard(d: Record<string, string>): Segment {
  const custom = d.type === 'custom';
  const card = {
    app: 'com.tencent.structmsg',
    view: 'music',
    meta: {
      music: custom
        ? {
            title: d.title ?? '',
            desc: d.content ?? '',
            jumpUrl: d.url ?? '',
            musicUrl: d.audio ?? d.voice ?? '',
            preview: d.image ?? '',
            tag: d.subtype ?? 'custom',
          }
        : {
            tag: d.type === '163' ? '网易云音乐' : 'QQ音乐',
            id: d.id ?? '',
            title: `${d.type}:${d.id}`,
          },
    },
  };
  return { type: 'json', data: { data: JSON.stringify(card) } };
}

function cardImage(d: Record<string, string>, w: WorldState): Segment {
  const url = w.mediaUrl('image', mediaName(d.file ?? '', 'image'));
  const xml =
    `<?xml version='1.0' encoding='UTF-8' standalone='yes'?><msg serviceID="1" templateID="1" action="" brief="${d.brief ?? '[图片]'}">` +
    `<item layout="0"><image uuid="${mediaName(d.file ?? '', 'image')}" url="${url}" minWidth="${d.minwidth ?? '400'}" minHeight="${d.minheight ?? '400'}" maxWidth="${d.maxwidth ?? '500'}" maxHeight="${d.maxheight ?? '1000'}"/></item>` +
    `<source name="${d.source ?? ''}" icon="${d.icon ?? ''}"/></msg>`;
  return { type: 'xml', data: { data: xml, resid: '1' } };
}

/** Transforms elements as the network does before storing and delivering them. */
export function deliverable(
  w: WorldState,
  elements: readonly Segment[],
  inGroup: boolean,
): Segment[] {
  const out: Segment[] = [];
  for (const el of elements) {
    const d = Object.fromEntries(
      Object.entries(el.data ?? {}).map(([k, v]) => [k, valueToString(v)]),
    );
    switch (el.type) {
      case 'image':
      case 'record':
      case 'video': {
        const ext = MEDIA[el.type];
        const source = d.file || d.url || '';
        const name = mediaName(source, ext);
        if (source.startsWith('base64://'))
          keepMedia(w, name, Buffer.from(source.slice(9), 'base64'));
        const data: Record<string, string> = { file: name, url: w.mediaUrl(el.type, name) };
        if (el.type === 'image') {
          if (inGroup) data.subType = d.subType ?? '0';
          if (d.type === 'flash' || d.type === 'show') data.type = d.type;
          if (d.type === 'show') data.id = SHOW_EFFECTS.has(d.id ?? '') ? d.id! : '40000';
        }
        if (el.type === 'record' && d.magic) data.magic = d.magic;
        out.push({ type: el.type, data });
        break;
      }
      case 'tts':
        out.push({
          type: 'record',
          data: {
            file: mediaName(`tts:${d.text ?? ''}`, 'amr'),
            url: w.mediaUrl('record', mediaName(`tts:${d.text ?? ''}`, 'amr')),
          },
        });
        break;
      case 'music':
        out.push(musicCard(d));
        break;
      case 'cardimage':
        out.push(cardImage(d, w));
        break;
      case 'dice':
        out.push({
          type: 'dice',
          data: {
            value:
              d.value && /^[1-6]$/.test(d.value)
                ? d.value
                : String(1 + Math.floor(Math.random() * 6)),
          },
        });
        break;
      case 'rps':
        out.push({
          type: 'rps',
          data: {
            value:
              d.value && /^[1-3]$/.test(d.value)
                ? d.value
                : String(1 + Math.floor(Math.random() * 3)),
          },
        });
        break;
      default:
        out.push({ type: el.type, data: d });
    }
  }
  // Neighbouring text (e.g. left by @all turned into words) is one segment, as in a CQ string.
  return normalizeSegments(out);
}
