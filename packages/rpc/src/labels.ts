/**
 * Metric label values for actions. Prometheus keeps every label value it has seen as a series
 * until the process ends, so a label must come from a closed set, never from what a client or
 * an upstream implementation sends: an upstream account forwards unknown action names as given
 * (any string, a new one per call), and its failures keep whatever UPPER_SNAKE tag it used.
 */
import { ERRORS, resolveAction } from '@cqfleet/onebot';

/** Label for an action not in the table. */
export const UNKNOWN_ACTION = 'unknown';
/** Label for a failure whose tag is not in the error catalogue. */
export const OTHER_RESULT = 'other';

/** The action's name when the action table has it (suffixes stripped), else `unknown`. */
export function actionLabel(wireName: string): string {
  return resolveAction(wireName)?.name ?? UNKNOWN_ACTION;
}

/** A failure's tag when it is in the error catalogue, else `other`. */
export function failureLabel(tag: string): string {
  return Object.hasOwn(ERRORS, tag) ? tag : OTHER_RESULT;
}

/**
 * Every retcode cqfleet answers with: 0 (ok), 1 (async) and the catalogue's. An upstream's
 * failure keeps its own retcode (any of 1..999), which is labelled `other`.
 */
const RETCODES = new Set([0, 1, ...Object.values(ERRORS).map(e => e.retcode)]);

/** A retcode cqfleet itself answers with, else `other`. */
export function retcodeLabel(retcode: number): string {
  return RETCODES.has(retcode) ? String(retcode) : OTHER_RESULT;
}
