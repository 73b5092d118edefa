/// <reference lib="dom" />
// The website in real Chromium against a real devnet pool with CPU miners: what a person sees on every
// page, live updates without a reload, the phone layout, keyboard use, and the API-down banner.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import {
  type Chromium,
  getJson,
  hasChromium,
  launchChromium,
  newPage,
  type PoolProcess,
  screenshot,
  startPool,
  until,
  watchConsole,
} from './harness.ts';

const BIN = fileURLToPath(new URL('../../bin/enigmapool', import.meta.url));

interface MinerSummaryPage {
  items: { address: string; hashrate: { current: number } }[];
}
interface MinerDetail {
  workerList: { name: string; online: boolean }[];
}

async function maxHeight(page: Page): Promise<number> {
  return page.$$eval('[data-testid=blocks-rows] tr[data-height]', (rows) =>
    Math.max(0, ...rows.map((r) => Number((r as HTMLElement).dataset.height))),
  );
}

async function waitForNewBlockRow(page: Page, above: number, timeoutMs: number): Promise<number> {
  const handle = await page.waitForFunction(
    (h) => {
      const rows = Array.from(
        document.querySelectorAll<HTMLElement>('[data-testid=blocks-rows] tr[data-height]'),
      );
      const top = Math.max(0, ...rows.map((r) => Number(r.dataset.height)));
      return top > h ? top : false;
    },
    above,
    { timeout: timeoutMs, polling: 250 },
  );
  return (await handle.jsonValue()) as number;
}

describe('the website in Chromium against a devnet pool', () => {
  let pool: PoolProcess;
  let chromium: Chromium;
  let browser: Browser;
  let secondMiner: ChildProcess | undefined;
  let address = '';
  const consoleErrors: string[] = [];

  before(async () => {
    assert.ok(hasChromium(), 'Debian chromium is needed at /usr/bin/chromium (apt-get install chromium)');
    pool = await startPool();
    chromium = await launchChromium();
    browser = chromium.browser;
    // The demo miner's address, once the stats job has seen its shares.
    const top = await until(
      () => getJson<MinerSummaryPage>(`${pool.apiUrl}/api/v1/miners`),
      (p) => (p.items[0]?.hashrate.current ?? 0) > 0,
      'a miner with a hashrate',
      300_000,
    );
    address = top.items[0]!.address;
    // A second rig of the same miner, so the dashboard has several workers to list.
    secondMiner = spawn(
      BIN,
      [
        'miner',
        '--url',
        `stratum+tcp://127.0.0.1:${pool.stratumPort}`,
        '--user',
        `${address}.rig2`,
        '--threads',
        '1',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let minerLog = '';
    secondMiner.stderr!.on('data', (chunk: Buffer) => {
      minerLog = (minerLog + chunk.toString()).slice(-4000);
    });
    // Generous: a CPU miner on a loaded 2-core machine may take minutes for its first share.
    await until(
      () => getJson<MinerDetail>(`${pool.apiUrl}/api/v1/miners/${address}`),
      (m) => m.workerList.filter((w) => w.online).length >= 2,
      'two workers online',
      300_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\nsecond miner:\n${minerLog}`);
    });
  });

  after(async () => {
    secondMiner?.kill('SIGINT');
    await chromium?.close();
    await pool?.stop();
  });

  it('home shows the pool hashrate (not zero), miners online, the network and the payout terms', async () => {
    const { context, page } = await newPage(browser, { width: 1280, height: 900 });
    consoleErrors.push(...watchConsole(page));
    await page.goto(pool.apiUrl);
    const hashrate = page.getByTestId('pool-hashrate');
    await hashrate.waitFor();
    await page.waitForFunction(() => {
      const t = document.querySelector('[data-testid=pool-hashrate]')?.textContent ?? '';
      return /\d/.test(t) && !/^0 H\/s$/.test(t.trim());
    });
    assert.match((await hashrate.textContent())!, /^[\d.]+ [kMGTP]?H\/s$/);
    const figures = (await page.getByTestId('pool-figures').textContent())!;
    assert.match(figures, /Miners \/ workers online\s*1 \/ 2/);
    assert.match(figures, /Network hashrate/);
    const terms = (await page.getByTestId('payout-terms').textContent())!;
    assert.match(terms, /PPLNS/);
    assert.match(terms, /Minimum payout/);
    await page.getByTestId('pool-chart').locator('canvas').waitFor();
    await screenshot(page, 'home-desktop');
    await context.close();
  });

  it('a block found while the pages are open appears on home and on /blocks without a reload', async () => {
    const { context, page: home } = await newPage(browser, { width: 1280, height: 900 });
    const blocks = await context.newPage();
    consoleErrors.push(...watchConsole(home), ...watchConsole(blocks));
    await home.goto(pool.apiUrl);
    await blocks.goto(`${pool.apiUrl}/blocks`);
    await home.getByTestId('blocks-rows').waitFor();
    await blocks.getByTestId('blocks-rows').waitFor();
    // A marker that a reload would wipe.
    for (const p of [home, blocks]) await p.evaluate(() => Object.assign(window, { stillTheSamePage: true }));
    const before = Math.max(await maxHeight(home), await maxHeight(blocks));
    const onHome = await waitForNewBlockRow(home, before, 300_000);
    const onBlocks = await waitForNewBlockRow(blocks, before, 60_000);
    assert.ok(onHome > before && onBlocks > before);
    for (const p of [home, blocks]) assert.equal(await p.evaluate(() => 'stillTheSamePage' in window), true);
    const last = (await home.getByTestId('last-block').textContent())!;
    assert.match(last.replace(/,/g, ''), new RegExp(`${onHome}`));
    await screenshot(blocks, 'blocks-desktop');
    await context.close();
  });

  it('the miner dashboard lists the miner’s workers with hashrates, balances and payout settings', async () => {
    const { context, page } = await newPage(browser, { width: 1280, height: 900 });
    consoleErrors.push(...watchConsole(page));
    await page.goto(`${pool.apiUrl}/miner/${address}`);
    await page.getByTestId('workers-rows').waitFor();
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid=workers-rows] tr[data-worker]').length >= 2,
    );
    const workers = await page.$$eval('[data-testid=workers-rows] tr[data-worker]', (rows) =>
      rows.map((r) => (r as HTMLElement).dataset.worker),
    );
    assert.ok(workers.includes('demo'), String(workers));
    assert.ok(workers.includes('rig2'), String(workers));
    const rig2 = (await page.locator('tr[data-worker=rig2]').textContent())!;
    assert.match(rig2, /online/);
    const hashrate = (await page.getByTestId('miner-hashrate').textContent())!;
    assert.doesNotMatch(hashrate, /^0 H\/s$/);
    assert.match((await page.getByTestId('balances').textContent())!, /Immature.*Payable.*In flight.*Paid/s);
    await page.getByText('How to set your payout threshold').click();
    await page.getByText(/t=5/).first().waitFor();
    await page.getByTestId('miner-chart').locator('canvas').waitFor();
    await screenshot(page, 'miner-desktop');
    await context.close();
  });

  it('the connect page shows the configured stratum port and a lolMiner line to copy', async () => {
    const { context, page } = await newPage(browser, { width: 1280, height: 900 });
    consoleErrors.push(...watchConsole(page));
    await page.goto(`${pool.apiUrl}/connect`);
    await page.getByTestId('ports-rows').waitFor();
    const ports = await page.$$eval('[data-testid=ports-rows] tr td:first-child', (cells) =>
      cells.map((c) => c.textContent),
    );
    assert.deepEqual(ports, [String(pool.stratumPort)]);
    const lolminer = (await page.locator('[data-miner=lolminer] pre').textContent())!;
    assert.match(
      lolminer,
      new RegExp(`^lolMiner --algo AUTOLYKOS2 --pool [\\w.]+:${pool.stratumPort} --user \\S+\\.rig1$`),
    );
    for (const id of ['teamredminer', 'srbminer', 'nanominer', 'rigel', 'gminer', 'bzminer']) {
      assert.equal(await page.locator(`[data-miner=${id}] pre`).count(), 1, id);
    }
    // The address typed in shows up in every line.
    await page.getByLabel('Your Ergo address').fill(address);
    assert.match(
      (await page.locator('[data-miner=lolminer] pre').textContent())!,
      new RegExp(`--user ${address}\\.rig1`),
    );
    await page.getByText('HiveOS').first().waitFor();
    await screenshot(page, 'connect-desktop');
    await context.close();
  });

  it('blocks, payments, miners and help render their content', async () => {
    const { context, page } = await newPage(browser, { width: 1280, height: 900 });
    consoleErrors.push(...watchConsole(page));
    const pages: [string, string, RegExp][] = [
      ['/blocks?status=pending', 'Blocks', /pending|No pending blocks/],
      ['/payments', 'Payments', /Created|No payments yet/],
      ['/miners', 'Top miners', new RegExp(address.slice(0, 6))],
      ['/help', 'Help', /How hashrate is estimated/],
    ];
    for (const [path, heading, content] of pages) {
      await page.goto(`${pool.apiUrl}${path}`);
      await page.getByRole('heading', { level: 1, name: heading }).waitFor();
      await page.waitForFunction(() => !document.querySelector('.loading'));
      assert.match((await page.locator('main').textContent())!, content, path);
      assert.equal(await page.locator('.error-box').count(), 0, `${path} shows an error`);
    }
    await context.close();
  });

  it('works on a 390 px phone in the dark theme, without sideways scrolling', async () => {
    const { context, page } = await newPage(browser, { width: 390, height: 844, dark: true });
    consoleErrors.push(...watchConsole(page));
    for (const [path, name] of [
      ['/', 'home-phone'],
      [`/miner/${address}`, 'miner-phone'],
      ['/connect', 'connect-phone'],
    ] as const) {
      await page.goto(`${pool.apiUrl}${path}`);
      await page.waitForFunction(() => !document.querySelector('.loading'));
      assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 390, `${path} is ${width} px wide`);
      await screenshot(page, name);
    }
    await page.getByRole('link', { name: 'Blocks' }).click();
    await page.getByRole('heading', { level: 1, name: 'Blocks' }).waitFor();
    await context.close();
  });

  it('is usable with the keyboard alone, and the theme switch works', async () => {
    const { context, page } = await newPage(browser, { width: 1280, height: 900 });
    consoleErrors.push(...watchConsole(page));
    await page.goto(pool.apiUrl);
    await page.getByTestId('pool-figures').waitFor();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to content');
    // Through the search box to the miner's dashboard.
    await page.getByLabel('Miner address').focus();
    await page.keyboard.type(address);
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/miner/${address}`);
    await page.getByTestId('workers-rows').waitFor();
    // Tab to the Help link and follow it with Enter.
    await page.getByRole('link', { name: 'Connect' }).focus();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Help');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Help' }).waitFor();
    const before = await page.evaluate(() => document.documentElement.dataset.theme);
    await page.getByRole('button', { name: /Switch to (dark|light) theme/ }).press('Enter');
    assert.notEqual(await page.evaluate(() => document.documentElement.dataset.theme), before);
    await context.close();
  });

  it('says clearly when an address is invalid, and kindly when it has no history', async () => {
    const { context, page } = await newPage(browser, { width: 1280, height: 900 });
    await page.goto(`${pool.apiUrl}/miner/9notAnAddress`);
    await page.getByTestId('invalid-address').waitFor();
    await page.goto(`${pool.apiUrl}/miner/9fRAWhdxEsTcdb8PhGNrZfwqa65zfkuYHAMmkQLcic1gdLSV5vA`);
    await page.getByTestId('no-history').waitFor();
    await context.close();
  });

  it('had no console errors on any page', () => {
    assert.deepEqual(consoleErrors, []);
  });

  it('shows the API-down banner, not a blank page, when the pool stops', async () => {
    const { context, page } = await newPage(browser, { width: 1280, height: 900 });
    await page.goto(pool.apiUrl);
    await page.getByTestId('pool-figures').waitFor();
    await page.waitForFunction(
      () => document.querySelector('[data-testid=live-state]')?.textContent === 'Live',
    );
    secondMiner?.kill('SIGINT');
    pool.interrupt();
    await page.getByTestId('api-down').waitFor({ timeout: 30_000 });
    assert.match((await page.getByTestId('pool-figures').textContent())!, /Pool hashrate/);
    await screenshot(page, 'api-down');
    assert.equal(await pool.stop(), 0);
    await context.close();
  });
});
