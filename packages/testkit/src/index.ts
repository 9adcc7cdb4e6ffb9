/**
 * @cqfleet/testkit — what cqfleet's integration tests are written with.
 *
 * ```ts
 * const cluster = await startTestCluster();
 * const http = new OneBotHttp(`${cluster.httpUrl}/10001`);
 * await http.ok('send_group_msg', { group_id: 100100, message: 'hi' });
 * ```
 */
export type { EventFrame } from './clients.js';
export { OneBotHttp, OneBotWs } from './clients.js';
export type { TestCluster } from './cluster.js';
export { startTestCluster } from './cluster.js';
export { assertEvent, assertResult, expectEvent, expectFailure, expectOk } from './conformance.js';
export type { DemoWorld } from './demo.js';
export { startDemoWorld } from './demo.js';
export { testInfra, uniqueNamespace, waitFor } from './context.js';
export type { TcpProxy } from '@cqfleet/devcluster';
export { startTcpProxy, writeWorld } from '@cqfleet/devcluster';
export { untilOnline } from './world.js';
export { metricValue, scrapeMetrics } from './metrics.js';
export { registerAccounts } from './registry.js';
export type { FileServer } from './file-server.js';
export { startFileServer } from './file-server.js';
export type { InfraMode, TestInfra } from './infra.js';
export type { Answer, Received } from './receiver.js';
export { Receiver } from './receiver.js';
export type { BackendConnection } from './reverse-server.js';
export { ReverseBackend } from './reverse-server.js';
export { fromContainers, fromLocalBinaries, resolveTestInfra } from './infra.js';
export type { OcrFixture, OcrFixtureName } from './fixtures.js';
export { ocrFixture } from './fixtures.js';
export { groupMsg, MESSAGE_T0, privateMsg } from './message-events.js';
