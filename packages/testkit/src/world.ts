/** Waiting for the accounts of a cluster under test. */
import { OneBotHttp } from './clients.js';
import { waitFor } from './context.js';

/** Waits until `account` answers `get_login_info` through the gateway at `httpUrl`. */
export async function untilOnline(httpUrl: string, account: number, timeoutMs = 15_000) {
  const http = new OneBotHttp(`${httpUrl}/${account}`);
  await waitFor(
    async () => ((await http.call('get_login_info')).status === 'ok' ? true : undefined),
    timeoutMs,
    `account ${account} online`,
  );
}
