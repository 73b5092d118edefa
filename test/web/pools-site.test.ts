/// <reference lib="dom" />
// The website of a deployment with two pools, in real Chromium, served by the API over a seeded database
// (test/api's fixture: the default PPLNS "Test Pool" and the SOLO "Solo Pool", alice mining in both): the
// pool switcher, every pool on the home page, a miner's balances by pool, the second pool's connect page,
// the picked pool kept in the URL while browsing, a 390 px phone, and no console errors.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { ALICE, NEIGHBOUR, NOW } from '../api/fixture.ts';
import {
  type Chromium,
  hasChromium,
  launchChromium,
  newPage,
  screenshot,
  serveSeededPools,
  watchConsole,
} from './harness.ts';

/** The /api/v1 paths a page asked for. */
function watchApi(page: Page): string[] {
  const paths: string[] = [];
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (url.pathname.startsWith('/api/v1/')) paths.push(url.pathname);
  });
  return paths;
}

/** Each row of a table by pool: its id and its cells' text, ` | ` between cells. */
const rowTexts = (page: Page, testId: string) =>
  page.$$eval(`[data-testid=${testId}] tr[data-pool]`, (rows) =>
    rows.map((r) => [
      (r as HTMLElement).dataset.pool,
      Array.from(r.querySelectorAll('td'))
        .map((td) => (td.textContent ?? '').replace(/\s+/g, ' ').trim())
        .join(' | '),
    ]),
  );

describe('the website of two pools in Chromium', () => {
  let site: Awaited<ReturnType<typeof serveSeededPools>>;
  let chromium: Chromium;
  let browser: Browser;
  const consoleErrors: string[] = [];

  before(async () => {
    assert.ok(hasChromium(), 'Debian chromium is needed at /usr/bin/chromium (apt-get install chromium)');
    site = await serveSeededPools();
    chromium = await launchChromium();
    browser = chromium.browser;
  });

  after(async () => {
    await chromium?.close();
    await site?.close();
  });

  it('home lists both pools with their terms, figures and ports, and the switcher picks one', async () => {
    const { context, page } = await newPage(browser, { width: 1280, height: 900, clockAt: NOW });
    consoleErrors.push(...watchConsole(page));
    await page.goto(site.url);
    await page.getByTestId('pools-rows').waitFor();
    await page.waitForFunction(
      () => !document.querySelector('[data-testid=pools-rows]')?.textContent?.includes('…'),
    );
    const rows = await rowTexts(page, 'pools-rows');
    assert.deepEqual(
      rows.map(([id]) => id),
      ['ergo', NEIGHBOUR],
    );
    assert.match(
      rows[0]![1]!,
      /^Test Pool · shown below \| PPLNS \| 1 % \| [\d.]+ [kMGTP]H\/s \| 2 \| 3052, 3054 \(TLS\)$/,
    );
    assert.match(rows[1]![1]!, /^Solo Pool \| SOLO \| 1\.5 % \| [\d.]+ [kMGTP]H\/s \| 2 \| 3060$/);
    assert.match((await page.getByTestId('payout-terms').textContent())!, /PPLNS/);
    // The switcher, with the keyboard: the same page of the other pool, in the URL.
    const switcher = page.getByLabel('Pool', { exact: true });
    assert.deepEqual(await switcher.locator('option').allTextContents(), [
      'Test Pool · PPLNS',
      'Solo Pool · SOLO',
    ]);
    const asked = watchApi(page);
    await switcher.focus();
    await switcher.selectOption(NEIGHBOUR);
    await page.waitForURL(`**/?pool=${NEIGHBOUR}`);
    await page.getByRole('heading', { level: 1, name: 'Solo Pool' }).waitFor();
    await page.waitForFunction(() =>
      /SOLO/.test(document.querySelector('[data-testid=payout-terms]')?.textContent ?? ''),
    );
    await page.waitForFunction(() =>
      /2\s*total/.test(document.querySelector('[data-testid=blocks-found]')?.textContent ?? ''),
    );
    assert.ok(asked.includes(`/api/v1/pools/${NEIGHBOUR}/stats/history`), asked.join(' '));
    assert.ok(asked.includes(`/api/v1/pools/${NEIGHBOUR}/blocks`), asked.join(' '));
    assert.ok(!asked.includes('/api/v1/blocks'), 'nothing of the default pool’s unprefixed routes');
    await screenshot(page, 'pools-home-desktop');
    // Back to the default pool: its bookmarks stay without ?pool.
    await switcher.selectOption('ergo');
    await page.waitForURL((url) => url.pathname === '/' && url.search === '');
    await context.close();
  });

  it('the picked pool stays in the URL while browsing, and each page shows that pool', async () => {
    const { context, page } = await newPage(browser, { width: 1280, height: 900, clockAt: NOW });
    consoleErrors.push(...watchConsole(page));
    await page.goto(`${site.url}/?pool=${NEIGHBOUR}`);
    await page.getByRole('heading', { level: 1, name: 'Solo Pool' }).waitFor();
    await page.getByRole('link', { name: 'Blocks', exact: true }).click();
    await page.waitForURL(`**/blocks?pool=${NEIGHBOUR}`);
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid=blocks-rows] tr[data-height]').length > 0,
    );
    const heights = await page.$$eval('[data-testid=blocks-rows] tr[data-height]', (rows) =>
      rows.map((r) => Number((r as HTMLElement).dataset.height)),
    );
    assert.deepEqual(heights, [1925001, 1925002], 'the solo pool’s blocks, not the default pool’s');
    assert.equal(await page.getByLabel('Pool', { exact: true }).inputValue(), NEIGHBOUR);
    await page.getByRole('link', { name: 'Miners', exact: true }).click();
    await page.waitForURL(`**/miners?pool=${NEIGHBOUR}`);
    await page.getByTestId('miners-rows').locator('a').first().waitFor();
    assert.equal(await page.getByTestId('miners-rows').locator('tr').count(), 2);
    await page.getByRole('link', { name: 'Help', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Help' }).waitFor();
    const rules = page.getByTestId('pool-rules');
    await rules.nth(1).waitFor();
    assert.deepEqual(
      await rules.evaluateAll((cards) => cards.map((c) => (c as HTMLElement).dataset.pool)),
      [NEIGHBOUR, 'ergo'],
      'each pool’s rules, the picked pool’s first',
    );
    assert.match((await rules.nth(0).textContent())!, /How Solo Pool pays.*SOLO rules.*pays its finder/s);
    assert.match((await rules.nth(1).textContent())!, /How Test Pool pays.*PPLNS rules/s);
    await context.close();
  });

  it('a miner’s page shows its balances in each pool above the picked pool’s dashboard', async () => {
    const { context, page } = await newPage(browser, { width: 1280, height: 900, clockAt: NOW });
    consoleErrors.push(...watchConsole(page));
    await page.goto(`${site.url}/miner/${ALICE}?pool=${NEIGHBOUR}`);
    await page.getByTestId('pool-balances').waitFor();
    const rows = await rowTexts(page, 'pool-balances');
    assert.deepEqual(
      rows.map(([id]) => id),
      ['ergo', NEIGHBOUR],
    );
    // Immature, payable and paid of each pool, never mixed, and exact (to the nanoERG on hover).
    assert.match(
      rows[0]![1]!,
      /^Test Pool PPLNS \| [\d.]+ [kMGTP]H\/s \| 2 \| 3\.00 ERG \| 1\.50 ERG \| 2\.50 ERG$/,
    );
    assert.match(
      rows[1]![1]!,
      /^Solo Pool SOLO \| [\d.]+ [kMGTP]H\/s \| 1 \| 0\.00 ERG \| 0\.499 ERG \| 0\.501 ERG$/,
    );
    const exact = await page.$$eval(
      `[data-testid=pool-balances] tr[data-pool=${NEIGHBOUR}] [title]`,
      (cells) => cells.map((c) => c.getAttribute('title')),
    );
    assert.deepEqual(exact, ['0 ERG', '0.499 ERG', '0.501 ERG']);
    await page.getByRole('heading', { level: 2, name: 'In Solo Pool' }).waitFor();
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid=workers-rows] tr[data-worker]').length > 0,
    );
    const workers = await page.$$eval('[data-testid=workers-rows] tr[data-worker]', (r) =>
      r.map((x) => (x as HTMLElement).dataset.worker),
    );
    assert.deepEqual(workers, ['rig3'], 'the solo pool’s workers only');
    assert.match((await page.getByTestId('balances').textContent())!, /0\.499/);
    await screenshot(page, 'pools-miner-desktop');
    // Its dashboard in the other pool, from the table.
    await page.getByTestId('pool-balances').getByRole('link', { name: 'Test Pool' }).click();
    await page.waitForURL((url) => url.pathname === `/miner/${ALICE}` && url.search === '');
    await page.getByRole('heading', { level: 2, name: 'In Test Pool' }).waitFor();
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid=workers-rows] tr[data-worker]').length === 2,
    );
    await context.close();
  });

  it('the connect page of the second pool shows its ports and scheme', async () => {
    const { context, page } = await newPage(browser, { width: 1280, height: 900, clockAt: NOW });
    consoleErrors.push(...watchConsole(page));
    await page.goto(`${site.url}/connect?pool=${NEIGHBOUR}`);
    await page.getByTestId('ports-rows').waitFor();
    const ports = await page.$$eval('[data-testid=ports-rows] tr td:first-child', (cells) =>
      cells.map((c) => c.textContent),
    );
    assert.deepEqual(ports, ['3060solo']);
    assert.match(
      (await page.getByTestId('connect-pool').textContent())!,
      /ports of Solo Pool: SOLO — each block pays its finder, fee 1\.5 %/,
    );
    assert.equal(await page.getByTestId('stratum-url').textContent(), 'stratum+tcp://pool.example.org:3060');
    assert.match(
      (await page.locator('[data-miner=lolminer] pre').textContent())!,
      /--pool pool\.example\.org:3060/,
    );
    await screenshot(page, 'pools-connect-desktop');
    await context.close();
  });

  it('works on a 390 px phone, switcher included, without sideways scrolling', async () => {
    const { context, page } = await newPage(browser, { width: 390, height: 844, dark: true, clockAt: NOW });
    consoleErrors.push(...watchConsole(page));
    for (const [path, name] of [
      ['/', 'pools-home-phone'],
      [`/miner/${ALICE}?pool=${NEIGHBOUR}`, 'pools-miner-phone'],
      [`/connect?pool=${NEIGHBOUR}`, 'pools-connect-phone'],
    ] as const) {
      await page.goto(`${site.url}${path}`);
      await page.getByTestId('pool-switch').waitFor();
      await page.waitForFunction(() => !document.querySelector('.loading'));
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 390, `${path} is ${width} px wide`);
      const box = (await page.getByTestId('pool-switch').boundingBox())!;
      assert.ok(box.x >= 0 && box.x + box.width <= 390, `the switcher fits on ${path}`);
      await screenshot(page, name);
    }
    await context.close();
  });

  it('had no console errors on any page', () => {
    assert.deepEqual(consoleErrors, []);
  });

  it('a pool id that is not one of the pools says so and links to the pools', async () => {
    const { context, page } = await newPage(browser, { width: 1280, height: 900, clockAt: NOW });
    await page.goto(`${site.url}/?pool=nope`);
    const banner = page.getByTestId('unknown-pool');
    await banner.waitFor();
    assert.match((await banner.textContent())!, /no pool “nope” here.*Test Pool, Solo Pool/s);
    await banner.getByRole('link', { name: 'Solo Pool' }).click();
    await page.waitForURL(`**/?pool=${NEIGHBOUR}`);
    await page.getByRole('heading', { level: 1, name: 'Solo Pool' }).waitFor();
    await context.close();
  });
});
