/** What every session action handler receives besides its parameters. */
import type { Handlers, MessageFormat } from '@cqfleet/onebot';
import type { AccountRuntime } from '../account.js';
import type { QQSidePort } from '../driver/index.js';
import type { MediaClient } from '@cqfleet/media-client';
import type { MessageLookup } from '@cqfleet/rpc';

export interface SessionOptions {
  /** Invalid segments are dropped (true) or sent as their literal CQ code (false, go-cqhttp's default). */
  ignoreInvalidCqcode: boolean;
  /** Received `reply` segments also carry seq, qq, time and text (go-cqhttp `extra-reply-data`). */
  extraReplyData: boolean;
  /** Longest a media job may take. */
  mediaTimeoutMs: number;
  /** Most media bytes handed to an upstream in one action (upstream/media-inline.ts). */
  upstreamMaxInlineBytes: number;
}

export interface ActionContext {
  account: AccountRuntime;
  /** The QQ side's operations, as the handlers call them (`account.qq`). */
  qq: QQSidePort;
  /** Format of `message` fields in results, as the calling endpoint wants them. */
  format: MessageFormat;
  history: MessageLookup;
  /** Media jobs (fetches, OCR, conversions) run by the media workers. */
  media: MediaClient;
  options: SessionOptions;
  /**
   * Fires at the action's deadline (the caller has been answered TIMEOUT). A handler that
   * works in steps (pokes, look-ups, uploads) checks it between them and stops.
   */
  signal: AbortSignal;
}

/** The session's handlers, typed by the action table (a subset while actions are planned). */
export type SessionHandlers = Partial<Handlers<'session', ActionContext>>;
