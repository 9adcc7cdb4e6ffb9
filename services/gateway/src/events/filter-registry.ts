/**
 * The event filters in use, by the name an endpoint gives them (go-cqhttp keeps them by path).
 *
 * - Only configured filters are held: those the settings name (GATEWAY_EVENT_FILTER, the
 *   config file's endpoints) and those of account records' endpoints, registered with
 *   `configure`. A reload names one of them; any other path is refused, so the registry never
 *   grows with what clients ask for.
 * - Files live under `GATEWAY_FILTER_DIR` (relative names are read from it); without it each
 *   configured file is confined to its own directory. Reads are bounded (filter-file.ts).
 * - As in go-cqhttp, a filter file that is missing or does not parse is logged and means "no
 *   filter" at start-up, and keeps the previous filter on a reload (which is still ok).
 */
import { dirname, resolve } from 'node:path';
import { isOneBotError, OneBotError } from '@cqfleet/onebot';
import type { Logger } from '@cqfleet/runtime';
import { insideDir } from '../config.js';
import { countRefusal } from '../refusals.js';
import { FilterFileMissing, readFilterFile } from './filter-file.js';
import { compileFilter, type Predicate } from './filter.js';

export interface FilterOptions {
  /** GATEWAY_FILTER_DIR; empty: each file confined to its own directory. */
  dir: string;
  /** GATEWAY_FILTER_MAX_BYTES. */
  maxBytes: number;
}

interface Entry {
  /** Absolute path of the file. */
  path: string;
  /** The directory it must stay in (after symlinks). */
  root: string;
  predicate?: Predicate;
}

export class FilterRegistry {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly options: FilterOptions,
    private readonly log: Logger,
  ) {}

  /** Configured filters held. */
  get size(): number {
    return this.entries.size;
  }

  /** Where `name` is read from and the directory it must stay in; refused outside the dir. */
  private locate(name: string): { path: string; root: string } {
    const { dir } = this.options;
    const path = resolve(dir || '.', name);
    if (dir && !insideDir(dir, path))
      throw new OneBotError('FILE_OUTSIDE_ROOTS', `过滤器文件不在过滤器目录内: ${name}`);
    return { path, root: dir ? resolve(dir) : dirname(path) };
  }

  /**
   * Registers a configured filter and loads it, unless it is held already. Never throws: a
   * filter that cannot be held or read is logged, and means no filter.
   */
  async configure(name: string): Promise<void> {
    if (!name || this.entries.has(name)) return;
    let entry: Entry;
    try {
      entry = this.locate(name);
    } catch (err) {
      this.log.error({ filter: name, err: (err as Error).message }, 'event filter not used');
      return;
    }
    this.entries.set(name, entry);
    await this.read(name, entry).catch((err: unknown) =>
      this.log.warn({ filter: name, err: (err as Error).message }, 'event filter not loaded'),
    );
  }

  /**
   * Re-reads the configured filter that `file` names (the same string, or the same file).
   * Throws a OneBotError when `file` is no configured filter or may not be read.
   */
  async reload(file: string): Promise<void> {
    try {
      const { path } = this.locate(file);
      const targets = [...this.entries].filter(([name, e]) => name === file || e.path === path);
      if (targets.length === 0)
        throw new OneBotError('INVALID_PARAMS', `不是已配置的事件过滤器: ${file}`);
      for (const [name, entry] of targets) await this.read(name, entry);
    } catch (err) {
      if (isOneBotError(err)) {
        countRefusal('filter_refused');
        this.log.warn({ file, err: err.message }, 'event filter reload refused');
        throw err;
      }
      throw new OneBotError('LOAD_FILE_ERROR', `无法读取过滤器文件: ${file}`, { cause: err });
    }
  }

  /** Reads and compiles one entry; a missing or invalid file keeps what the entry has. */
  private async read(name: string, entry: Entry): Promise<void> {
    let text: string;
    try {
      text = await readFilterFile(entry.path, entry.root, this.options.maxBytes);
    } catch (err) {
      if (!(err instanceof FilterFileMissing)) throw err;
      this.log.warn({ filter: name }, 'event filter file missing; keeping the previous filter');
      return;
    }
    try {
      entry.predicate = compileFilter(JSON.parse(text));
      this.log.info({ filter: name }, 'event filter loaded');
    } catch (err) {
      this.log.warn(
        { filter: name, err: (err as Error).message },
        'event filter invalid; keeping the previous one',
      );
    }
  }

  /** True when the event passes the filter named `name` (or there is none). */
  passes(name: string | undefined, event: unknown): boolean {
    if (!name) return true;
    const predicate = this.entries.get(name)?.predicate;
    return predicate ? predicate(event) : true;
  }
}
