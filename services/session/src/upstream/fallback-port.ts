/**
 * What cqfleet itself answers for a proxied account, as a QQ-side port: its own handlers of
 * the media actions an upstream may lack (get_image, get_record, ocr_image — forward.ts asks
 * the upstream first) need `get_media`, the URL the account's events gave for a file name
 * (media-names.ts), and the account's profile. Nothing else of the QQ side is cqfleet's to
 * answer for an upstream: any other operation is API_NOT_IMPLEMENTED.
 */
import { OneBotError } from '@cqfleet/onebot';
import type { OpName, Ops } from '@cqfleet/sim-client';
import type { ProxiedDriver, QQSidePort } from '../driver/driver.js';

export function fallbackPort(driver: ProxiedDriver): QQSidePort {
  return {
    call: async <K extends Exclude<OpName, 'login'>>(
      op: K,
      args: Ops[K]['args'],
    ): Promise<Ops[K]['result']> => {
      if (op !== 'get_media')
        throw new OneBotError('API_NOT_IMPLEMENTED', `上游 OneBot 账号不支持内部操作 ${op}`);
      const a = args as Ops['get_media']['args'];
      return (await driver.media(a.kind, a.name)) as Ops[K]['result'];
    },
    self: () => driver.self(),
    refreshSelf: () => driver.refreshSelf(),
  };
}
