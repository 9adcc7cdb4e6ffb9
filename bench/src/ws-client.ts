/** The benchmarks' OneBot WebSocket client. */
import WebSocket from 'ws';

/** A WebSocket client with request ids, many requests in flight on one connection. */
export async function wsClient(url: string) {
  const ws = new WebSocket(url);
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const waiting = new Map<string, (frame: { status?: string }) => void>();
  ws.on('message', data => {
    const frame = JSON.parse(String(data)) as { echo?: string; status?: string };
    if (frame.echo === undefined) return; // events
    waiting.get(frame.echo)?.(frame);
    waiting.delete(frame.echo);
  });
  let next = 0;
  return {
    call(action: string, params: unknown): Promise<{ status?: string }> {
      const echo = String(next++);
      return new Promise(resolve => {
        waiting.set(echo, resolve);
        ws.send(JSON.stringify({ action, params, echo }));
      });
    },
    close: () => ws.close(),
  };
}
