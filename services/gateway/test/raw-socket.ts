/** A TCP client for tests that must send what an HTTP client would not: partial or slow requests. */
import { connect, type Socket } from 'node:net';

export interface Exchange {
  socket: Socket;
  /** Everything received so far. */
  received(): string;
  /** Resolves when the server has closed the connection, or rejects after `ms`. */
  closed(ms: number): Promise<string>;
  /** Resolves once `text` has been received, or rejects after `ms`. */
  waitFor(text: string, ms: number): Promise<string>;
}

export async function rawConnect(port: number): Promise<Exchange> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const chunks: Buffer[] = [];
  let ended = false;
  const listeners = new Set<() => void>();
  const wake = () => listeners.forEach(l => l());
  socket.on('data', c => (chunks.push(c), wake()));
  // A reset after the server's answer is fine: the test looks at what arrived.
  socket.on('error', () => undefined);
  socket.on('close', () => ((ended = true), wake()));
  const received = () => Buffer.concat(chunks).toString('latin1');
  const until = (done: () => boolean, ms: number, what: string) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        if (!done()) return;
        clearTimeout(timer);
        listeners.delete(check);
        resolve(received());
      };
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(
          new Error(
            `${what} not within ${ms} ms; received ${JSON.stringify(received().slice(0, 300))}`,
          ),
        );
      }, ms);
      listeners.add(check);
      check();
    });
  return {
    socket,
    received,
    closed: ms => until(() => ended, ms, 'connection closed by the server'),
    waitFor: (text, ms) => until(() => received().includes(text), ms, JSON.stringify(text)),
  };
}

/** The JSON body of a raw HTTP response. */
export function bodyOf(response: string): unknown {
  return JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4));
}
