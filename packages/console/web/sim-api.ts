/**
 * The demo chat's requests: the gateway's proxy to the simulator (services/gateway/src/
 * console/sim-proxy.ts), under `<console>/api/sim/`, with the admin token like every request.
 * A gateway without a simulator answers 404 SIMULATOR_NOT_CONFIGURED: the chat is hidden.
 */
import { consoleUrl, expectOk } from './api.js';
import type { OutSegment } from './chat-model.js';

export interface SimPerson {
  user_id: number;
  nickname: string;
  groups: number[];
}

export interface SimWorld {
  accounts: Array<{ user_id: number; online: boolean }>;
  groups: Array<{ group_id: number; group_name: string; members: number }>;
  people: SimPerson[];
}

export interface SimFriend {
  user_id: number;
  nickname: string;
  remark: string;
}

export interface SimElement {
  type: string;
  data: Record<string, unknown>;
}

export interface SimChatMessage {
  seq: number;
  message_id: number;
  time: number;
  sender_id: number;
  group_id?: number;
  target_id?: number;
  recalled: boolean;
  elements: SimElement[];
}

export const SIM_NOT_CONFIGURED = 'SIMULATOR_NOT_CONFIGURED';

export async function fetchSimWorld(token: string): Promise<SimWorld> {
  const body = (await expectOk(token, 'GET', consoleUrl('api/sim/world'))) as SimWorld | null;
  if (!body || !Array.isArray(body.people)) throw new Error('the gateway answered no world');
  return body;
}

export async function fetchFriends(token: string, person: number): Promise<SimFriend[]> {
  const body = (await expectOk(token, 'GET', consoleUrl(`api/sim/people/${person}/friends`))) as {
    friends?: SimFriend[];
  } | null;
  return body?.friends ?? [];
}

/** What the chat shows: a group's messages, or a person's private ones with one peer. */
export type ChatTarget = { kind: 'group'; id: number } | { kind: 'friend'; id: number };

export async function fetchChat(
  token: string,
  person: number,
  target: ChatTarget,
  signal?: AbortSignal,
): Promise<SimChatMessage[]> {
  const path =
    target.kind === 'group'
      ? `api/sim/groups/${target.id}/messages?limit=50`
      : `api/sim/people/${person}/messages?limit=200`;
  const body = (await expectOk(token, 'GET', consoleUrl(path), undefined, signal)) as {
    messages?: SimChatMessage[];
  } | null;
  const messages = body?.messages ?? [];
  if (target.kind === 'group') return messages;
  return messages.filter(
    m =>
      (m.sender_id === person && m.target_id === target.id) ||
      (m.sender_id === target.id && m.target_id === person),
  );
}

export function sendAsPerson(
  token: string,
  person: number,
  target: ChatTarget,
  message: OutSegment[],
): Promise<unknown> {
  return target.kind === 'group'
    ? expectOk(token, 'POST', consoleUrl(`api/sim/people/${person}/send_group_msg`), {
        group_id: target.id,
        message,
      })
    : expectOk(token, 'POST', consoleUrl(`api/sim/people/${person}/send_private_msg`), {
        user_id: target.id,
        message,
      });
}

/** Images kept in memory as `data:` URLs, the oldest dropped first. */
export const IMAGE_CACHE_SIZE = 50;
const IMAGE_TIMEOUT_MS = 10_000;
const images = new Map<string, Promise<string>>();

function asDataUrl(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () =>
      typeof reader.result === 'string'
        ? resolve(reader.result)
        : reject(new Error('the image could not be read'));
    reader.onerror = () => reject(new Error('the image could not be read'));
    reader.readAsDataURL(blob);
  });
}

const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

async function loadImage(token: string, url: string): Promise<string> {
  const res = await fetch(consoleUrl(`api/sim/media?url=${encodeURIComponent(url)}`), {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(IMAGE_TIMEOUT_MS),
    credentials: 'omit',
  });
  if (!res.ok) {
    await res.body?.cancel();
    throw new Error(`the image was refused (${res.status})`);
  }
  const blob = await res.blob();
  if (!IMAGE_TYPES.has(blob.type)) throw new Error(`not an image (${blob.type})`);
  return asDataUrl(blob);
}

/**
 * One of the simulator's images (a chat element's `url`) as a `data:` URL, fetched through
 * the gateway (`api/sim/media`, which only fetches the simulator's own images) with the token:
 * the page's CSP allows `img-src 'self' data:` and an <img> would send no token. Kept per URL
 * (the last {@link IMAGE_CACHE_SIZE}); a failure is not kept, the next render tries again.
 */
export function simImage(token: string, url: string): Promise<string> {
  const key = `${token}\n${url}`;
  const known = images.get(key);
  if (known) {
    // Recently used: to the end of the line.
    images.delete(key);
    images.set(key, known);
    return known;
  }
  const loading = loadImage(token, url);
  images.set(key, loading);
  loading.catch(() => {
    if (images.get(key) === loading) images.delete(key);
  });
  while (images.size > IMAGE_CACHE_SIZE) images.delete(images.keys().next().value!);
  return loading;
}
