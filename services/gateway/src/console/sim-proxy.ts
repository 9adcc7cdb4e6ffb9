/**
 * The console's demo chat (issue 19, point 5): a small, validated subset of the simulator's
 * control API (services/simulator/README.md), under the console's API and its admin token:
 *
 *   GET  /console/api/sim/world                          people, groups and bot accounts
 *   GET  /console/api/sim/people/{id}/friends            a person's friends
 *   POST /console/api/sim/people/{id}/send_group_msg     {group_id, message}
 *   POST /console/api/sim/people/{id}/send_private_msg   {user_id, message}
 *   GET  /console/api/sim/groups/{id}/messages?limit=N   a group's last N messages (N ≤ 200)
 *   GET  /console/api/sim/people/{id}/messages?limit=N   a person's private chats, both ways
 *   GET  /console/api/sim/media?url=<simulator image URL>  an image's bytes (sim-media.ts;
 *                                                         answered by console-api.ts, not JSON)
 *
 * Contract:
 * - without GATEWAY_SIMULATOR_URL every route is 404 `SIMULATOR_NOT_CONFIGURED` (the page
 *   hides its chat then);
 * - requests go to that URL only, to fixed paths built from validated numbers;
 * - bodies are at most {@link MAX_SEND_BODY_BYTES} and must be what sim-schemas.ts allows
 *   (400 `INVALID_MESSAGE` otherwise); answers of the simulator are read up to
 *   {@link MAX_ANSWER_BYTES} within {@link SIM_TIMEOUT_MS} and validated before they are
 *   passed on;
 * - the simulator's refusals (4xx `{error}`) are passed on with their status and code; a
 *   simulator that does not answer, answers 5xx or something unexpected is 502
 *   `SIMULATOR_UNAVAILABLE`.
 */
import type { IncomingMessage } from 'node:http';
import { type Logger, readBounded } from '@cqfleet/runtime';
import type { z } from 'zod';
import { ApiError, readJson } from '../admin/json-api.js';
import {
  firstIssue,
  MAX_MESSAGES,
  MAX_SEND_BODY_BYTES,
  SendGroupBody,
  SendPrivateBody,
  SimError,
  SimFriends,
  SimMembers,
  SimMessages,
  SimSent,
  SimWorld,
} from './sim-schemas.js';
import { fetchSimImage, type ImageType, simMediaUrl } from './sim-media.js';

/** Longest the proxy waits for the simulator. */
export const SIM_TIMEOUT_MS = 5_000;
/** Largest answer of the simulator that is read. */
export const MAX_ANSWER_BYTES = 4 * 1024 * 1024;
/** Groups whose members `/world` lists (their people are the chat's people). */
export const MAX_WORLD_GROUPS = 50;

export interface SimProxyOptions {
  /** GATEWAY_SIMULATOR_URL, without a trailing slash; undefined: not configured. */
  baseUrl: string | undefined;
  log: Logger;
  timeoutMs?: number;
}

/** One person of the world, with the groups the console saw them in. */
export interface SimPerson {
  user_id: number;
  nickname: string;
  groups: number[];
}

const notConfigured = () =>
  new ApiError(404, 'SIMULATOR_NOT_CONFIGURED', 'this gateway has no GATEWAY_SIMULATOR_URL');
const unavailable = (why: string) =>
  new ApiError(502, 'SIMULATOR_UNAVAILABLE', `the simulator did not answer: ${why}`);

function positiveId(raw: string | undefined, what: string): number {
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n <= 0) throw new ApiError(400, 'BAD_ID', `bad ${what}`);
  return n;
}

/** `limit` of the query: 1..MAX_MESSAGES, 50 when absent. */
export function messageLimit(req: IncomingMessage): number {
  const raw = new URL(req.url ?? '/', 'http://console').searchParams.get('limit');
  if (raw === null) return 50;
  const n = Number(raw);
  if (!/^\d{1,4}$/.test(raw) || n < 1) throw new ApiError(400, 'BAD_LIMIT', 'limit is 1..200');
  return Math.min(n, MAX_MESSAGES);
}

export class SimProxy {
  constructor(private readonly opts: SimProxyOptions) {}

  get configured(): boolean {
    return this.opts.baseUrl !== undefined;
  }

  /** Answers `rest`, the path below `/console/api/sim`. */
  async handle(req: IncomingMessage, rest: string): Promise<[number, unknown]> {
    if (!this.configured) throw notConfigured();
    const get = req.method === 'GET';
    const method = (m: 'GET' | 'POST') => {
      if (req.method !== m) throw new ApiError(405, 'METHOD', `${m} ${rest}`);
    };
    if (/^\/world\/?$/.test(rest)) {
      method('GET');
      return [200, await this.world()];
    }
    let m = /^\/people\/(\d{1,15})\/(friends|messages|send_group_msg|send_private_msg)\/?$/.exec(
      rest,
    );
    if (m) {
      const person = positiveId(m[1], 'person');
      switch (m[2]) {
        case 'friends': {
          method('GET');
          const friends = await this.call('POST', `/people/${person}/get_friends`, SimFriends, {});
          return [200, { friends: friends.result }];
        }
        case 'messages':
          method('GET');
          return [
            200,
            await this.call(
              'GET',
              `/people/${person}/messages?limit=${messageLimit(req)}`,
              SimMessages,
            ),
          ];
        case 'send_group_msg':
          method('POST');
          return [200, await this.send(req, person, 'send_group_msg', SendGroupBody)];
        default:
          method('POST');
          return [200, await this.send(req, person, 'send_private_msg', SendPrivateBody)];
      }
    }
    m = /^\/groups\/(\d{1,15})\/messages\/?$/.exec(rest);
    if (m) {
      if (!get) throw new ApiError(405, 'METHOD', `GET ${rest}`);
      const group = positiveId(m[1], 'group');
      return [
        200,
        await this.call('GET', `/groups/${group}/messages?limit=${messageLimit(req)}`, SimMessages),
      ];
    }
    throw new ApiError(404, 'NOT_FOUND', `no simulator route ${rest}`);
  }

  /** `GET /media?url=…`: one of the simulator's images, under sim-media.ts's contract. */
  async media(req: IncomingMessage): Promise<{ bytes: Buffer; type: ImageType }> {
    if (!this.configured) throw notConfigured();
    if (req.method !== 'GET') throw new ApiError(405, 'METHOD', 'GET /media');
    const raw = new URL(req.url ?? '/', 'http://console').searchParams.get('url');
    const url = simMediaUrl(this.opts.baseUrl!, raw);
    try {
      return await fetchSimImage(url, this.opts.timeoutMs);
    } catch (err) {
      if (err instanceof ApiError && err.status >= 500)
        this.opts.log.warn({ err: err.message, url }, 'simulator image request failed');
      throw err;
    }
  }

  /** The world as the chat needs it: bot accounts, groups, and the people in those groups. */
  async world(): Promise<{
    accounts: Array<{ user_id: number; online: boolean }>;
    groups: Array<{ group_id: number; group_name: string; members: number }>;
    people: SimPerson[];
  }> {
    const world = await this.call('GET', '/world', SimWorld);
    const accounts = new Set(world.accounts.map(a => a.user_id));
    const groups = world.groups.slice(0, MAX_WORLD_GROUPS);
    const lists = await Promise.all(
      groups.map(g => this.call('GET', `/groups/${g.group_id}/members`, SimMembers)),
    );
    const people = new Map<number, SimPerson>();
    lists.forEach((list, i) => {
      const groupId = groups[i]!.group_id;
      for (const member of list.members) {
        if (accounts.has(member.user_id)) continue;
        const p = people.get(member.user_id) ?? {
          user_id: member.user_id,
          nickname: member.nickname,
          groups: [],
        };
        p.groups.push(groupId);
        people.set(member.user_id, p);
      }
    });
    return {
      accounts: world.accounts,
      groups,
      people: [...people.values()].sort((a, b) => a.user_id - b.user_id),
    };
  }

  private async send(
    req: IncomingMessage,
    person: number,
    op: 'send_group_msg' | 'send_private_msg',
    schema: typeof SendGroupBody | typeof SendPrivateBody,
  ): Promise<z.output<typeof SimSent>> {
    const body = schema.safeParse(await readJson(req, MAX_SEND_BODY_BYTES));
    if (!body.success) throw new ApiError(400, 'INVALID_MESSAGE', firstIssue(body.error));
    this.opts.log.info({ person, op }, 'demo chat: a simulated person sends');
    return this.call('POST', `/people/${person}/${op}`, SimSent, body.data);
  }

  /** One request to the simulator, its answer bounded and validated by `schema`. */
  private async call<S extends z.ZodType>(
    method: 'GET' | 'POST',
    path: string,
    schema: S,
    body?: unknown,
  ): Promise<z.output<S>> {
    let res: Response;
    let text: string;
    try {
      res = await fetch(`${this.opts.baseUrl}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        redirect: 'error',
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? SIM_TIMEOUT_MS),
      });
      text = (await readBounded(res, MAX_ANSWER_BYTES)).toString('utf8');
    } catch (err) {
      this.opts.log.warn({ err: String(err), path }, 'simulator request failed');
      throw unavailable(err instanceof Error ? err.message : String(err));
    }
    let json: unknown;
    try {
      json = JSON.parse(text) as unknown;
    } catch {
      throw unavailable(`${res.status}, not JSON`);
    }
    if (res.status >= 400 && res.status < 500) {
      const refusal = SimError.safeParse(json);
      if (refusal.success)
        throw new ApiError(res.status, refusal.data.error.code, refusal.data.error.message);
    }
    if (!res.ok) throw unavailable(`status ${res.status}`);
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw unavailable(`unexpected answer: ${firstIssue(parsed.error)}`);
    return parsed.data;
  }
}
