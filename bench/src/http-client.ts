/** The benchmarks' HTTP client: keep-alive JSON POSTs on loopback. */
import { Agent, request } from 'node:http';

/** Idle sockets close after 2 s, before the server's keep-alive timeout (5 s) can race a request. */
export const agent = new Agent({ keepAlive: true, maxSockets: 64, timeout: 2_000 });

/** POSTs JSON and resolves with the parsed answer. */
export function post(url: string, body: unknown): Promise<{ status?: string; retcode?: number }> {
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) },
      },
      res => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as { status?: string });
          } catch (err) {
            reject(err as Error);
          }
        });
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}
