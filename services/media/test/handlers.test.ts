import { actionsOwnedBy } from '@cqfleet/onebot';
import { describe, expect, it } from 'vitest';
import { mediaHandlers } from '@cqfleet/media';

describe('media - the action table does not lie', () => {
  it('there is a handler for exactly the media actions marked ready', () => {
    expect(Object.keys(mediaHandlers).sort()).toEqual(actionsOwnedBy('media', 'ready').sort());
  });
});
