/** Creates the driver an account record names. */
import type { AccountRecord } from '@cqfleet/contracts';
import type { Logger } from '@cqfleet/runtime';
import type { Driver } from './driver.js';
import { OneBotDriver, type UpstreamContext } from '../upstream/onebot-driver.js';
import { SimulatorDriver } from './simulator-driver.js';

export type {
  Connection,
  Cursor,
  Driver,
  NativeDriver,
  ProxiedDriver,
  QQSidePort,
  DriverHooks,
  DriverState,
  DriverStats,
  OneBotUpstream,
} from './driver.js';
export { toOneBotError } from './simulator-driver.js';

export function createDriver(
  account: AccountRecord,
  fence: number,
  log: Logger,
  upstream: UpstreamContext,
): Driver {
  switch (account.driver) {
    case 'simulator':
      return new SimulatorDriver({ uin: account.uin, fence, options: account.options }, log);
    case 'onebot':
      return new OneBotDriver({ uin: account.uin, fence, options: account.options }, log, upstream);
  }
}
