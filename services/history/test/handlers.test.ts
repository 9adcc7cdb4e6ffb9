import { actionsOwnedBy } from '@cqfleet/onebot';
import { describe, expect, it } from 'vitest';
import { historyHandlers } from '@cqfleet/history';

describe('history - the action table does not lie', () => {
  it('there is a handler for exactly the history actions marked ready', () => {
    const handlers = historyHandlers(
      {} as never,
      async () => undefined,
      {} as never,
      async () => undefined,
    );
    expect(Object.keys(handlers).sort()).toEqual(actionsOwnedBy('history', 'ready').sort());
  });
});
