/**
 * What the message conformance files (messages, messages-nt) share: the demo world they run
 * against, which reports the accounts' own messages and uses the array format. The clients
 * are live bindings: `startMessageWorld` sets them (in a `beforeAll`), so the tests of the
 * importing file use them by name, as if the file had declared them itself.
 */
import type { SimControl } from '@cqfleet/sim-client';
import { type OneBotHttp, type OneBotWs, startDemoWorld } from '@cqfleet/testkit';

export let alpha: OneBotHttp;
export let beta: OneBotHttp;
export let wsA: OneBotWs;
export let wsB: OneBotWs;
export let sim: SimControl;
export let close: () => Promise<void>;

export async function startMessageWorld(): Promise<void> {
  ({ alpha, beta, wsA, wsB, sim, close } = await startDemoWorld({
    env: { GATEWAY_MESSAGE_FORMAT: 'array', GATEWAY_REPORT_SELF_MESSAGE: 'true' },
  }));
}
