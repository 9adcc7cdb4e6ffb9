/**
 * The accounts admin API, on the gateway's admin port (GATEWAY_ADMIN_PORT), for operators:
 * accounts change at run time, without restarting anything.
 *
 *   GET    /accounts              every account: record, owner (worker, fence), online, counters
 *   GET    /accounts/{uin}        one account
 *   PUT    /accounts/{uin}        add or replace (body: driver, options, enabled, endpoints)
 *   POST   /accounts/{uin}/enable, /accounts/{uin}/disable
 *   DELETE /accounts/{uin}
 *
 * Every request needs `Authorization: Bearer <GATEWAY_ADMIN_TOKEN>`; without a configured
 * token the API answers 403. Changes are announced on `<ns>.registry`: session workers take an
 * added or enabled account and hand over a disabled or removed one within a rebalance.
 * Answers are JSON; errors are `{error: {code, message}}` with a 4xx status (the plumbing,
 * shared with the console's API, is json-api.ts).
 */
import type { IncomingMessage } from 'node:http';
import { AccountRecord, driverOptionsProblem } from '@cqfleet/contracts';
import type { AccountRegistry, Logger } from '@cqfleet/runtime';
import type { AccountDirectory } from '../accounts/directory.js';
import type { ActionRouter } from '../routing/router.js';
import { adminJsonRoute, ApiError, readJson } from './json-api.js';

export interface AccountsApiDeps {
  registry: AccountRegistry;
  directory: AccountDirectory;
  router: ActionRouter;
  /** Empty: the API is refused. */
  token: string;
  log: Logger;
}

/** A record's fields a PUT may set (the uin comes from the path). */
const AccountInput = AccountRecord.omit({ uin: true });

export function accountsApi(deps: AccountsApiDeps) {
  /** What the account's owner says of it (`get_status`), or nulls when nobody owns it. */
  async function view(record: AccountRecord) {
    const owner = record.enabled ? await deps.directory.owner(record.uin) : undefined;
    let online: boolean | null = null;
    let stat: unknown = null;
    if (owner) {
      const status = await deps.router.call(
        'get_status',
        {},
        { selfId: record.uin, format: 'array' },
      );
      if (status.status === 'ok') {
        const data = status.data as { online?: boolean; stat?: unknown };
        online = data.online ?? null;
        stat = data.stat ?? null;
      }
    }
    return {
      ...record,
      owner: owner ? { worker: owner.workerId, fence: owner.fence } : null,
      online,
      stat,
    };
  }

  async function route(req: IncomingMessage, path: string): Promise<[number, unknown]> {
    const m = /^\/accounts(?:\/(\d+)(?:\/(enable|disable))?)?\/?$/.exec(path);
    if (!m) throw new ApiError(404, 'NOT_FOUND', `no admin route ${path}`);
    const uin = m[1] === undefined ? undefined : Number(m[1]);
    const verb = m[2];
    if (uin === undefined) {
      if (req.method !== 'GET') throw new ApiError(405, 'METHOD', 'GET /accounts');
      // Eight at a time: a list of thousands must not flood the workers.
      const records = await deps.registry.all();
      const out = [];
      for (let i = 0; i < records.length; i += 8)
        out.push(...(await Promise.all(records.slice(i, i + 8).map(view))));
      return [200, { accounts: out }];
    }
    if (!Number.isSafeInteger(uin) || uin <= 0) throw new ApiError(400, 'BAD_UIN', 'bad uin');
    if (verb) {
      if (req.method !== 'POST') throw new ApiError(405, 'METHOD', `POST /accounts/{uin}/${verb}`);
      const next = await deps.registry.setEnabled(uin, verb === 'enable');
      if (!next) throw new ApiError(404, 'ACCOUNT_NOT_FOUND', `no account ${uin}`);
      deps.log.info({ uin, enabled: next.enabled }, 'account changed by admin');
      return [200, next];
    }
    switch (req.method) {
      case 'GET': {
        const record = await deps.registry.get(uin);
        if (!record) throw new ApiError(404, 'ACCOUNT_NOT_FOUND', `no account ${uin}`);
        return [200, await view(record)];
      }
      case 'PUT': {
        const input = AccountInput.safeParse(await readJson(req));
        if (!input.success)
          throw new ApiError(400, 'INVALID_ACCOUNT', input.error.issues[0]?.message ?? 'invalid');
        const problem = driverOptionsProblem(input.data);
        if (problem) throw new ApiError(400, 'INVALID_ACCOUNT', problem);
        const existed = (await deps.registry.get(uin)) !== undefined;
        const record = AccountRecord.parse({ ...input.data, uin });
        await deps.registry.put(record);
        deps.log.info({ uin, existed }, 'account put by admin');
        return [existed ? 200 : 201, record];
      }
      case 'DELETE':
        if (!(await deps.registry.remove(uin)))
          throw new ApiError(404, 'ACCOUNT_NOT_FOUND', `no account ${uin}`);
        deps.log.info({ uin }, 'account removed by admin');
        return [200, { removed: uin }];
      default:
        throw new ApiError(405, 'METHOD', 'GET, PUT or DELETE /accounts/{uin}');
    }
  }

  /** Handles `/accounts` and below; false for other paths (left to the admin server). */
  return adminJsonRoute({ prefix: '/accounts', token: deps.token, log: deps.log, handle: route });
}

export type AccountsApi = ReturnType<typeof accountsApi>;
