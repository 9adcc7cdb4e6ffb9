/**
 * WebSocket frames sent in one turn of the event loop leave in one system call.
 *
 * `ws` writes every frame with its own `writev`, so a burst of events (one NATS read holding
 * many messages, a simulator burst) cost one system call per frame: the largest single item
 * in the gateway's and the simulator's event profiles (bench/README.md). `sendInTurn` corks
 * the socket at the first frame of a turn and uncorks it once the turn's synchronous work is
 * done (`process.nextTick`), so the kernel gets the turn's frames together. Nothing waits
 * longer than the turn that sent it, and `bufferedAmount` still counts every queued byte.
 */

interface Corkable {
  cork(): void;
  uncork(): void;
}

/** What is used of a `ws` WebSocket (its underlying socket is `_socket`). */
export interface TurnSocket {
  send(data: string | Uint8Array, options?: { binary?: boolean }): void;
}

const corked = new WeakSet<Corkable>();

/** `ws.send(data, options)`, written out together with the turn's other frames. */
export function sendInTurn(
  ws: TurnSocket,
  data: string | Uint8Array,
  options?: { binary?: boolean },
): void {
  const socket = (ws as { _socket?: Corkable })._socket;
  if (socket && !corked.has(socket)) {
    corked.add(socket);
    socket.cork();
    process.nextTick(() => {
      corked.delete(socket);
      socket.uncork();
    });
  }
  ws.send(data, options);
}
