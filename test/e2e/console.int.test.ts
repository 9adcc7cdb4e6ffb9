/**
 * The operator console in a real browser (issue 19, point 6): Debian's Chromium driven through
 * playwright-core against the whole cluster. Log in with the admin token, see both demo
 * accounts online, disable one and see it go disabled then enable it again, call
 * get_login_info from the action form (raw JSON), send a group message from 10001 through the
 * form's schema-driven fields, send a group message as a simulated person from the demo
 * chat and see it both in the chat and in 10001's live event stream, send an image from the
 * chat's file picker and see it shown in the conversation; no console errors on the way.
 *
 * `CONSOLE_SCREENSHOT=<file.png>` also saves the fleet view (the README's picture).
 */
import { existsSync } from 'node:fs';
import { startTestCluster, type TestCluster } from '@cqfleet/testkit';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const TOKEN = 'console-test-token';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let cluster: TestCluster;
let browser: Browser;
let page: Page;
const problems: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: bash scripts/system-deps.sh chromium installs it`);
  cluster = await startTestCluster({ env: { GATEWAY_ADMIN_TOKEN: TOKEN } });
  // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('console', m => {
    // Chromium itself logs every 4xx answer (the deliberate wrong-token login) as an error.
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource'))
      problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', e => problems.push(`page: ${e.message}`));
});

afterAll(async () => {
  await browser?.close();
  await cluster?.stop();
});

const stateOf = (uin: number) => page.getByTestId(`state-${uin}`);

async function untilState(uin: number, state: string, timeoutMs = 15_000): Promise<void> {
  await stateOf(uin)
    .filter({ hasText: new RegExp(`^\\s*${state}\\s*$`) })
    .waitFor({ timeout: timeoutMs });
}

describe('console in Chromium', () => {
  it('refuses a wrong token, then logs in and shows both demo accounts online', async () => {
    const started = Date.now();
    await page.goto(`${cluster.gateways[0]!.adminUrl}/console/`);
    await page.getByLabel('Admin token').fill('wrong');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').waitFor({ timeout: 5_000 });
    await page.getByLabel('Admin token').fill(TOKEN);
    await page.getByRole('button', { name: 'Log in' }).click();
    await untilState(10001, 'online');
    await untilState(10002, 'online');
    console.log(`console: logged in and both accounts online after ${Date.now() - started} ms`);
    // The token stays out of the address bar.
    expect(page.url()).not.toContain(TOKEN);
    const shot = process.env.CONSOLE_SCREENSHOT;
    if (shot) await page.screenshot({ path: shot });
  });

  it('disables an account and sees it go, then enables it and sees it back online', async () => {
    await page.getByRole('button', { name: 'Disable 10002' }).click();
    await untilState(10002, 'disabled', 5_000);
    await page.getByRole('button', { name: 'Enable 10002' }).click();
    await untilState(10002, 'online');
  });

  it('calls get_login_info from the action form of one account, as raw JSON', async () => {
    await page.getByTestId('account-row-10001').click();
    await page.getByLabel('Action', { exact: true }).fill('get_login_info');
    await page.getByLabel('Raw JSON', { exact: true }).check();
    await page.getByLabel('Parameters', { exact: true }).fill('{}');
    await page.getByRole('button', { name: 'Call' }).click();
    const result = page.getByTestId('call-result');
    await result.filter({ hasText: '10001' }).waitFor({ timeout: 10_000 });
    expect(await result.textContent()).toMatch(/"status":\s*"ok"/);
  });

  it('sends a group message through the schema-driven fields of send_group_msg', async () => {
    await page.getByLabel('Raw JSON', { exact: true }).uncheck();
    await page.getByLabel('Action', { exact: true }).fill('send_group_msg');
    // The fields come from the action's JSON Schema (GET /console/api/actions).
    const fields = page.getByRole('group', { name: 'Parameters of send_group_msg' });
    await fields.waitFor({ timeout: 10_000 });
    await fields.getByLabel('group_id', { exact: true }).fill('100100');
    // `message` is a union (string, segment, segments): a JSON field.
    await fields.getByLabel('message', { exact: true }).fill('"hello from the form"');
    await expect(fields.getByLabel('auto_escape', { exact: true }).isChecked()).resolves.toBe(
      false,
    );
    await page.getByRole('button', { name: 'Call' }).click();
    const result = page.getByTestId('call-result');
    await result.filter({ hasText: 'message_id' }).waitFor({ timeout: 10_000 });
    const text = (await result.textContent()) ?? '';
    expect(text).toMatch(/"status":\s*"ok"/);
    expect(text).toMatch(/"message_id":\s*-?\d+/);
  });

  it('sends as a simulated person from the demo chat and sees it in the chat and the event stream', async () => {
    // 10001's detail is open (the test above): its stream must be live before the message goes.
    await page
      .getByTestId('event-stream-status')
      .filter({ hasText: 'Live' })
      .waitFor({ timeout: 10_000 });
    await page.getByRole('button', { name: 'Demo chat' }).click();
    await page.getByLabel('Person').selectOption('20001');
    await page.getByLabel('Chat', { exact: true }).selectOption('group:100100');
    const text = `hello from the console ${Date.now()}`;
    await page.getByLabel('Message', { exact: true }).fill(text);
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    // The chat shows it (read back from the simulator)…
    await page.getByTestId('chat-log').getByText(text).waitFor({ timeout: 10_000 });
    // …and 10001, a member of the group, received it as an event.
    const event = page
      .getByTestId('event-list')
      .getByTestId('event-item')
      .filter({ hasText: text });
    await event.waitFor({ timeout: 10_000 });
    expect(await event.first().textContent()).toContain('group 100100');
    // Opened, the event shows its JSON.
    await event.first().locator('summary').click();
    await event
      .first()
      .getByLabel('Event JSON')
      .filter({ hasText: '"post_type": "message"' })
      .waitFor({ timeout: 5_000 });
  });

  it('sends an image from the demo chat and shows it in the conversation', async () => {
    // A 1×1 PNG, sent as base64 and shown back through the gateway's /console/api/sim/media.
    const png = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==',
      'base64',
    );
    const caption = `an image ${Date.now()}`;
    await page
      .locator('form[aria-label="Send a message"] input[type="file"]')
      .setInputFiles({ name: 'dot.png', mimeType: 'image/png', buffer: png });
    await page.getByText('dot.png').waitFor({ timeout: 5_000 });
    await page.getByLabel('Message', { exact: true }).fill(caption);
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const bubble = page.getByTestId('chat-log').locator('li').filter({ hasText: caption });
    const img = bubble.getByRole('img', { name: 'image' });
    await img.waitFor({ timeout: 10_000 });
    expect(await img.getAttribute('src')).toMatch(/^data:image\/png;base64,/);
    // Decoded: the bytes are the PNG that was sent.
    await expect
      .poll(() => img.evaluate(el => (el as unknown as { naturalWidth: number }).naturalWidth), {
        timeout: 5_000,
      })
      .toBe(1);
  });

  it('printed no error to the browser console', () => {
    expect(problems).toEqual([]);
  });
});
