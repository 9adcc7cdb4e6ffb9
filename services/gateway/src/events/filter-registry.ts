/**
 * Event filters by file path, as go-cqhttp keeps them: an endpoint names a filter file; a
 * missing or invalid file is logged and means "no filter" (everything passes);
 * `reload_event_filter{file}` re-reads the entry for that exact path string and keeps the old
 * filter when the new file cannot be read.
 */
import { readFile } from 'node:fs/promises';
import type { Logger } from '@cqfleet/runtime';
import { compileFilter, type Predicate } from './filter.js';

export class FilterRegistry {
  private readonly filters = new Map<string, Predicate>();

  constructor(private readonly log: Logger) {}

  /** Loads (or reloads) the filter at `path`; failures are logged, never thrown. */
  async load(path: string): Promise<boolean> {
    if (path === '') return false;
    try {
      const predicate = compileFilter(JSON.parse(await readFile(path, 'utf8')));
      this.filters.set(path, predicate);
      this.log.info({ path }, 'event filter loaded');
      return true;
    } catch (err) {
      this.log.warn(
        { path, err: (err as Error).message },
        'event filter not loaded; keeping the previous one',
      );
      return false;
    }
  }

  /** Loads `path` unless it is loaded already. */
  async ensure(path: string): Promise<void> {
    if (path && !this.filters.has(path)) await this.load(path);
  }

  /** True when the event passes the filter of `path` (or there is none). */
  passes(path: string | undefined, event: unknown): boolean {
    if (!path) return true;
    const predicate = this.filters.get(path);
    return predicate ? predicate(event) : true;
  }
}
