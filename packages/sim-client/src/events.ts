/**
 * Things that happen to an account, as the simulator pushes them: the QQ side's events
 * (`@cqfleet/qq-side` events.ts, one schema per kind). Each is delivered once per account, in
 * order (see protocol.ts for replay). `time` is Unix seconds.
 */
import type { QQEvent, QQEventKind } from '@cqfleet/qq-side';

export type SimEvent = QQEvent;
export type SimEventKind = QQEventKind;
