/**
 * The console's action catalogue (issue 19, point 4): every action of the OneBot table with
 * the JSON Schema of its parameters' input, made by zod without throwing whatever the schema
 * (preprocess, transforms, coercion), and `GET /console/api/actions` answering it behind the
 * admin token with an ETag.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { actions, type ActionSpec } from '@cqfleet/onebot';
import { createLogger } from '@cqfleet/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  buildActionCatalogue,
  catalogueBody,
  paramsJsonSchema,
} from '../src/console/action-catalogue.js';
import { consoleApi, etagMatches } from '../src/console/console-api.js';

const log = createLogger('test', 'silent');
const TOKEN = 'tok';

type Props = Record<string, Record<string, unknown>>;

describe('the action catalogue', () => {
  const catalogue = buildActionCatalogue();
  const byName = new Map(catalogue.actions.map(a => [a.name, a]));

  it('lists every action of the table, in table order, with its summary, origin and status', () => {
    expect(catalogue.actions.map(a => a.name)).toEqual(Object.keys(actions));
    for (const [name, spec] of Object.entries(actions) as [string, ActionSpec][]) {
      const entry = byName.get(name)!;
      expect(entry).toMatchObject({ summary: spec.summary, origin: spec.origin });
      expect(entry.status).toBe(spec.status);
    }
  });

  it('converts every parameter schema of the table (none falls back to {})', () => {
    expect(catalogue.unconverted).toBe(0);
    for (const a of catalogue.actions) {
      expect(a.params, a.name).toMatchObject({ type: 'object' });
      expect(a.params.$schema).toBeUndefined();
    }
  });

  it('describes send_group_msg by what a client sends, coercion and defaults included', () => {
    const params = byName.get('send_group_msg')!.params;
    const props = params.properties as Props;
    expect(Object.keys(props)).toEqual(expect.arrayContaining(['group_id', 'message']));
    expect(props.group_id).toMatchObject({ type: 'integer', default: 0 });
    expect(props.auto_escape).toMatchObject({ type: 'boolean', default: false });
    // A message is a string, one segment or an array of them.
    const kinds = (props.message!.anyOf as { type?: string }[]).map(s => s.type);
    expect(kinds).toEqual(expect.arrayContaining(['string', 'object', 'array']));
  });

  it('falls back to {} (counted) for a schema zod cannot convert, and never throws', () => {
    // z.custom has no JSON Schema; a transform or preprocess has one on its input side.
    const odd = z.object({ when: z.date() }).refine(() => true);
    const spec = (params: z.ZodType): ActionSpec => ({
      owner: 'session',
      origin: 'cqfleet',
      status: 'planned',
      params,
      result: z.unknown(),
      summary: 's',
    });
    const table = {
      with_transform: spec(z.object({ n: z.string().transform(Number) })),
      with_preprocess: spec(z.preprocess(v => v, z.object({ b: z.coerce.boolean() }))),
      with_custom: spec(z.object({ x: z.custom<string>(v => typeof v === 'string') })),
      with_date: spec(odd),
      cyclic: spec(
        (() => {
          const node: z.ZodType = z.lazy(() => z.object({ next: node.optional() }));
          return node;
        })(),
      ),
    };
    let built: ReturnType<typeof buildActionCatalogue> | undefined;
    expect(() => (built = buildActionCatalogue(table))).not.toThrow();
    expect(built!.actions.map(a => a.name)).toEqual(Object.keys(table));
    const n = built!.actions.find(a => a.name === 'with_transform')!.params;
    expect((n.properties as Props).n).toMatchObject({ type: 'string' });
    for (const a of built!.actions) expect(typeof a.params).toBe('object');
    expect(built!.unconverted).toBe(
      built!.actions.filter(a => Object.keys(a.params).length === 0).length,
    );
    // A schema that throws in conversion is counted.
    const throwing = { toJSONSchema: 1 } as unknown as z.ZodType;
    expect(paramsJsonSchema(throwing)).toBeUndefined();
    const withBroken = buildActionCatalogue({ ...table, broken: spec(throwing) });
    expect(withBroken.unconverted).toBeGreaterThanOrEqual(1);
    expect(withBroken.actions.at(-1)).toMatchObject({ name: 'broken', params: {} });
  });

  it('reads If-None-Match with weak tags, lists and *', () => {
    expect(etagMatches(undefined, '"a"')).toBe(false);
    expect(etagMatches('"a"', '"a"')).toBe(true);
    expect(etagMatches('W/"a"', '"a"')).toBe(true);
    expect(etagMatches('"b", "a"', '"a"')).toBe(true);
    expect(etagMatches('*', '"a"')).toBe(true);
    expect(etagMatches('"b"', '"a"')).toBe(false);
  });
});

describe('GET /console/api/actions', () => {
  let server: Server;
  let base: string;
  const body = catalogueBody();

  beforeAll(async () => {
    const route = consoleApi({
      fleet: { snapshot: () => Promise.reject(new Error('unused')) },
      router: { call: () => Promise.reject(new Error('unused')) },
      token: TOKEN,
      log,
      catalogue: body,
    });
    server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0]!;
      void route(req, res, path).then(answered => {
        if (answered) return;
        res.writeHead(404);
        res.end();
      });
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/console/api/actions`;
  });

  afterAll(() => new Promise<void>(resolve => server.close(() => resolve())));

  const auth = { authorization: `Bearer ${TOKEN}` };

  it('answers the catalogue behind the admin token, with an ETag', async () => {
    const res = await fetch(base, { headers: auth });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('etag')).toBe(body.etag);
    expect(res.headers.get('cache-control')).toContain('no-cache');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const json = (await res.json()) as { actions: { name: string }[]; unconverted: number };
    expect(json.actions.map(a => a.name)).toEqual(Object.keys(actions));
    expect(json.unconverted).toBe(0);
  });

  it('answers 304 to a matching If-None-Match', async () => {
    const res = await fetch(base, { headers: { ...auth, 'if-none-match': body.etag } });
    expect(res.status).toBe(304);
    expect(await res.text()).toBe('');
  });

  it('refuses a missing or wrong token and other methods like the rest of the API', async () => {
    const none = await fetch(base);
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
    const wrong = await fetch(base, { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(403);
    // A 304 is no way round the token.
    const sneaky = await fetch(base, { headers: { 'if-none-match': body.etag } });
    expect(sneaky.status).toBe(401);
    const post = await fetch(base, { method: 'POST', headers: auth, body: '{}' });
    expect(post.status).toBe(405);
    expect(await post.json()).toMatchObject({ error: { code: 'METHOD' } });
  });

  it('leaves the other console routes to the JSON API', async () => {
    const res = await fetch(base.replace('/actions', '/nothing'), { headers: auth });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });
});
