import type { AddressInfo } from 'node:net';
import { sendInTurn } from '@cqfleet/runtime';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';

let wss: WebSocketServer | undefined;
afterEach(() => wss?.close());

/** A server and a client connected to it; `server` is the server side's socket. */
async function pair(): Promise<{ server: WebSocket; client: WebSocket; got: string[] }> {
  wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise(r => wss!.once('listening', r));
  const accepted = new Promise<WebSocket>(r => wss!.once('connection', r));
  const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
  const got: string[] = [];
  client.on('message', d => got.push(String(d)));
  await new Promise(r => client.once('open', r));
  return { server: await accepted, client, got };
}

describe('sendInTurn', () => {
  it("holds a turn's frames in the corked socket and writes them together, in order", async () => {
    const { server, client, got } = await pair();
    const socket = (server as unknown as { _socket: { writableCorked: number } })._socket;
    for (let i = 0; i < 100; i++) sendInTurn(server, `frame ${i}`);
    expect(socket.writableCorked).toBe(1); // one cork for the whole turn
    await new Promise(r => process.nextTick(r));
    expect(socket.writableCorked).toBe(0);
    for (let i = 0; i < 50 && got.length < 100; i++) await new Promise(r => setTimeout(r, 20));
    expect(got).toEqual(Array.from({ length: 100 }, (_, i) => `frame ${i}`));
    sendInTurn(server, 'next turn');
    expect(socket.writableCorked).toBe(1);
    client.close();
  });
});
