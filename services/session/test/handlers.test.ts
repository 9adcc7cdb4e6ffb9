import { actionsOwnedBy } from '@cqfleet/onebot';
import { describe, expect, it } from 'vitest';
import { sessionHandlers } from '@cqfleet/session';

describe('session - the action table does not lie', () => {
  it('there is a handler for exactly the session actions marked ready', () => {
    expect(Object.keys(sessionHandlers).sort()).toEqual(actionsOwnedBy('session', 'ready').sort());
  });
});
