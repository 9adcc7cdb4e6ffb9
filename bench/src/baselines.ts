/**
 * Raw baselines, measured in the same run as the benchmark they divide (reference
 * baselines.md has this machine's figures): bare Redis and bare grpc-js with no application
 * logic, loopback only, one call at a time.
 */
import {
  credentials,
  makeGenericClientConstructor,
  Server,
  ServerCredentials,
  type ServiceDefinition,
} from '@grpc/grpc-js';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Redis } from '@cqfleet/runtime';
import { type Latency, timeSequential } from './stats.js';

/** Sequential GET of a 300-byte value (baselines.md 3b). */
export async function redisGet(redis: Redis, prefix: string, n = 10_000): Promise<Latency> {
  const key = `${prefix}baseline:get`;
  await redis.set(key, 'x'.repeat(300));
  const result = await timeSequential(n, () => redis.getBuffer(key));
  await redis.del(key);
  return result;
}

/** Sequential SET of the same 300-byte value (a stored record is about that size). */
export async function redisSet(redis: Redis, prefix: string, n = 10_000): Promise<Latency> {
  const key = `${prefix}baseline:set`;
  const value = Buffer.alloc(300, 'x');
  const result = await timeSequential(n, () => redis.set(key, value));
  await redis.del(key);
  return result;
}

/** A OneBot answer with nothing computed, for the bare HTTP baselines. */
export const ENVELOPE = JSON.stringify({
  status: 'ok',
  retcode: 0,
  data: { message_id: 1 },
  message: '',
});

/**
 * A bare `node:http` server on loopback answering every request with ENVELOPE once its body
 * is read, or with what `answer` resolves (a pipeline baseline).
 */
export async function startBareHttp(
  answer: () => Promise<unknown> = () => Promise.resolve(),
): Promise<{ url: string; close(): void }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      answer().then(
        () => res.writeHead(200, { 'content-type': 'application/json' }).end(ENVELOPE),
        () => res.writeHead(500).end(),
      );
    });
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => server.close(),
  };
}

const identity = (b: Buffer) => b;
const ECHO: ServiceDefinition = {
  echo: {
    path: '/cqfleet.bench.Echo/Echo',
    requestStream: false,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
};

interface EchoClient {
  echo(req: Buffer, cb: (err: Error | null, res?: Buffer) => void): void;
  close(): void;
}

/** A grpc-js echo server on loopback and a client for it; `close` stops both. */
export async function startEcho(): Promise<{
  echo(payload: Buffer): Promise<Buffer | undefined>;
  close(): void;
}> {
  const server = new Server();
  server.addService(ECHO, {
    echo: (call: { request: Buffer }, cb: (err: null, res: Buffer) => void) =>
      cb(null, call.request),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  const Client = makeGenericClientConstructor(ECHO, 'Echo');
  const client = new Client(
    `127.0.0.1:${port}`,
    credentials.createInsecure(),
  ) as unknown as EchoClient;
  return {
    echo: payload =>
      new Promise<Buffer | undefined>((resolve, reject) =>
        client.echo(payload, (err, res) => (err ? reject(err) : resolve(res))),
      ),
    close: () => {
      client.close();
      server.forceShutdown();
    },
  };
}

/** A grpc-js unary echo of 300 bytes, one call in flight (baselines.md 6c). */
export async function grpcUnary(n = 5_000): Promise<Latency> {
  const echo = await startEcho();
  const payload = Buffer.alloc(300, 7);
  try {
    return await timeSequential(n, () => echo.echo(payload));
  } finally {
    echo.close();
  }
}
