import { describe, expect, it } from 'vitest';
import { chosenRuns } from '../src/event-scenarios.js';

describe('BENCH_EVENTS_RUNS', () => {
  it('names closed loops, paced runs to all accounts and paced runs spread over them', () => {
    expect(chosenRuns('100x1, 100x1x1000s,1000x10x5000')).toEqual([
      [100, 1, undefined, false],
      [100, 1, 1000, true],
      [1000, 10, 5000, false],
    ]);
  });

  it('is nothing when unset, and refuses a name it does not know', () => {
    expect(chosenRuns(undefined)).toBeUndefined();
    expect(chosenRuns('')).toBeUndefined();
    expect(() => chosenRuns('100x1,fast')).toThrow('BENCH_EVENTS_RUNS: not a scenario: fast');
  });
});
