/**
 * The console with a thousand accounts (issue 19, points 2 and 7), in Debian's Chromium: the
 * fleet view opens with all of them, keeps only the visible rows in the page, reaches the last
 * one by scrolling, and finds one by search. How long the first view takes is printed (a
 * measurement, not an assertion: timings belong to `npm run bench`).
 *
 * 998 accounts are added disabled through the accounts admin API next to the two demo ones, so
 * that the snapshot is a fleet's size without a thousand simulated logins. Then, at 420 px wide:
 * no sideways scrolling, and a row opened from the keyboard.
 */
import { existsSync } from 'node:fs';
import { startTestCluster, type TestCluster } from '@cqfleet/testkit';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// What the page-side callbacks touch (run in the browser; the tests' types have no DOM).
declare const sessionStorage: { setItem(key: string, value: string): void };
declare const document: { documentElement: { scrollWidth: number; clientWidth: number } };

const TOKEN = 'console-load-token';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** The page keeps the token here (packages/console/web/api.ts). */
const TOKEN_KEY = 'cqfleet.console.token';
const EXTRA = Array.from({ length: 998 }, (_, i) => 30_001 + i);

let cluster: TestCluster;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: bash scripts/system-deps.sh chromium installs it`);
  cluster = await startTestCluster({ env: { GATEWAY_ADMIN_TOKEN: TOKEN } });
  const admin = cluster.gateways[0]!.adminUrl;
  for (let i = 0; i < EXTRA.length; i += 50)
    await Promise.all(
      EXTRA.slice(i, i + 50).map(async uin => {
        const res = await fetch(`${admin}/accounts/${uin}`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify({ driver: 'simulator', options: {}, enabled: false }),
        });
        if (res.status !== 201) throw new Error(`PUT ${uin}: ${res.status} ${await res.text()}`);
      }),
    );
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await cluster?.stop();
});

describe('console with 1,000 accounts', () => {
  it('shows them all, renders only what is visible, scrolls to the last and searches', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const problems: string[] = [];
    page.on('pageerror', e => problems.push(e.message));
    await page.addInitScript(
      ([key, token]) => sessionStorage.setItem(key!, token!),
      [TOKEN_KEY, TOKEN],
    );
    const started = Date.now();
    await page.goto(`${cluster.gateways[0]!.adminUrl}/console/`);
    const summary = page.getByTestId('summary');
    await summary.filter({ hasText: /of 1,?000 accounts/ }).waitFor({ timeout: 10_000 });
    await page.getByTestId('account-row-10001').waitFor();
    const firstView = Date.now() - started;
    console.log(`console: 1,000 accounts in view ${firstView} ms after navigation`);

    const rendered = await page.locator('[data-testid^="account-row-"]').count();
    expect(rendered).toBeGreaterThan(5);
    expect(rendered).toBeLessThan(100);

    await page.locator('.table-wrap').evaluate(el => el.scrollTo(0, el.scrollHeight));
    await page.getByTestId(`account-row-${EXTRA.at(-1)}`).waitFor({ timeout: 5_000 });
    expect(await page.getByTestId(`state-${EXTRA.at(-1)}`).textContent()).toContain('disabled');

    await page.getByLabel('Search').fill('30500');
    await page.getByTestId('account-row-30500').waitFor({ timeout: 5_000 });
    expect(await page.locator('[data-testid^="account-row-"]').count()).toBe(1);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('works in a narrow window and from the keyboard', async () => {
    const page = await browser.newPage({ viewport: { width: 420, height: 800 } });
    await page.addInitScript(
      ([key, token]) => sessionStorage.setItem(key!, token!),
      [TOKEN_KEY, TOKEN],
    );
    await page.goto(`${cluster.gateways[0]!.adminUrl}/console/`);
    await page.getByTestId('account-row-10001').waitFor({ timeout: 10_000 });
    // Nothing wider than the window: no sideways scrolling.
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    // A row takes the focus and Enter opens the account.
    await page.getByTestId('account-row-10001').focus();
    await page.keyboard.press('Enter');
    await page.getByLabel('Action', { exact: true }).waitFor({ timeout: 5_000 });
    // Its recent messages: the first of its groups is loaded from history at once.
    await page.getByTestId('history-list').waitFor({ timeout: 10_000 });
    await page.close();
  });
});
