/**
 * One account's connection to the simulator (the driver side of protocol.ts).
 * Requests are matched to replies by id, each with a timeout; pushes go to `onPush`.
 *
 * The simulator stands for the QQ network, so its frames are outside input: a frame that is not
 * a reply or a push of the protocol's envelope, or an event that does not fit its kind's schema
 * (`@cqfleet/qq-side`), is dropped, and whatever `onPush` throws is caught; both go to
 * `onBadFrame`, never into the socket's callback. A result that does not fit its op's schema
 * fails the request with BAD_REPLY. A frame nested more than MAX_JSON_DEPTH levels is dropped
 * before it is parsed: zod keeps an event's unknown keys, so a deep one would pass its schema
 * and overflow the stack later, in the session's JSON.stringify or any recursive walk.
 */
import WebSocket from 'ws';
import { parseEvent, parseResult } from '@cqfleet/qq-side';
import { describeJsonShape, jsonShapeProblem, sendInTurn } from '@cqfleet/runtime';
import { type OpName, type Ops, type Push, type ServerFrame, SimError } from './protocol.js';

/** The largest frame taken from the simulator (the simulator takes as much from a driver). */
export const MAX_FRAME_BYTES = 64 * 1024 * 1024;

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

export class SimConnection {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closed = false;
  /** Called for every push frame, in arrival order. */
  onPush: (push: Push) => void = () => {};
  /** Called once when the socket closes, for whatever reason. */
  onClose: (code: number, reason: string) => void = () => {};
  /** A frame that was dropped, or a push whose handling failed. */
  onBadFrame: (why: string, err?: unknown) => void = () => {};

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      const frame = parseServerFrame(data.toString());
      if (typeof frame === 'string') {
        this.onBadFrame(frame);
        return;
      }
      if ('push' in frame) {
        try {
          this.onPush(frame);
        } catch (err) {
          this.onBadFrame(`push ${frame.push} could not be handled`, err);
        }
        return;
      }
      const p = this.pending.get(frame.id);
      if (!p) return;
      this.pending.delete(frame.id);
      clearTimeout(p.timer);
      if (frame.ok) p.resolve(frame.result);
      else p.reject(new SimError(frame.error.code, frame.error.message));
    });
    ws.on('close', (code, reason) => {
      this.closed = true;
      for (const p of this.pending.values()) {
        clearTimeout(p.timer);
        p.reject(new SimError('DISCONNECTED', 'connection to the simulator closed'));
      }
      this.pending.clear();
      this.onClose(code, reason.toString());
    });
    ws.on('error', () => {
      // 'close' follows; errors are reported there.
    });
  }

  /**
   * Opens `<url>/driver`; rejects if the socket is not open within `timeoutMs`. A frame over
   * `maxFrameBytes` closes the connection before it is buffered whole: the driver then
   * reconnects, as after any disconnect.
   */
  static open(
    baseUrl: string,
    timeoutMs = 5_000,
    maxFrameBytes = MAX_FRAME_BYTES,
  ): Promise<SimConnection> {
    const url = baseUrl.replace(/^http/, 'ws').replace(/\/+$/, '') + '/driver';
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { handshakeTimeout: timeoutMs, maxPayload: maxFrameBytes });
      const fail = (err: Error) => reject(new SimError('DISCONNECTED', err.message));
      ws.once('error', fail);
      ws.once('open', () => {
        ws.off('error', fail);
        resolve(new SimConnection(ws));
      });
    });
  }

  get isOpen(): boolean {
    return !this.closed && this.ws.readyState === WebSocket.OPEN;
  }

  request<K extends OpName>(
    op: K,
    args: Ops[K]['args'],
    timeoutMs = 10_000,
  ): Promise<Ops[K]['result']> {
    if (!this.isOpen)
      return Promise.reject(new SimError('DISCONNECTED', 'not connected to the simulator'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new SimError('TIMEOUT', `${op} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      // The result is checked against the QQ side's table before the caller sees it.
      const checked = (value: unknown) => {
        try {
          resolve(parseResult(op, value));
        } catch (err) {
          reject(err as Error);
        }
      };
      this.pending.set(id, { resolve: checked, reject, timer });
      // Requests of one turn (several actions arriving in one gRPC read) leave in one write.
      sendInTurn(this.ws, JSON.stringify({ id, op, args }));
    });
  }

  close(): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING)
      this.ws.close();
  }
}

/** The frame, or why it is not one of the protocol's (a total function: it never throws). */
export function parseServerFrame(text: string): ServerFrame | string {
  const shape = jsonShapeProblem(text);
  if (shape) return describeJsonShape(shape);
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return 'not JSON';
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'not an object';
  const f = v as Record<string, unknown>;
  if (f.push === 'kicked')
    return typeof f.reason === 'string' ? (f as never) : 'kicked without reason';
  if (f.push === 'event') {
    if (typeof f.seq !== 'number') return 'event push without a seq';
    // The event against its kind's schema in the QQ side's table.
    const event = parseEvent(f.event);
    return typeof event === 'string' ? `malformed event: ${event}` : (f as never);
  }
  if (typeof f.id !== 'number') return 'neither a reply nor a push';
  if (f.ok === true) return f as never;
  const error = f.error as Record<string, unknown> | null;
  return f.ok === false &&
    typeof error === 'object' &&
    error !== null &&
    typeof error.code === 'string' &&
    typeof error.message === 'string'
    ? (f as never)
    : 'malformed reply';
}
