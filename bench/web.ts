/// <reference lib="dom" />
// The website: bundle size against its budget, and in Debian's Chromium against a local devnet pool the
// time to first contentful paint and until data is shown, each against a blank page measured in the same
// run (the floor for a page load on this machine). Two network profiles: loopback, and a throttled
// "mobile" profile (Lighthouse's slow 4G: 150 ms RTT, 1.6 Mbit/s down, 4× slower CPU).
// Run: node --import tsx bench/web.ts [RUNS=7]     (builds nothing: run `npm run build:web` first)
// Also saves screenshots of the home page and a miner's dashboard in test-artifacts/web/bench-*.png.
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Browser } from 'playwright-core';
import {
  freePort,
  getJson,
  launchChromium,
  newPage,
  screenshot,
  startPool,
  until,
} from '../test/web/harness.ts';

const runs = Number(process.argv[2] ?? 7);
const DIST = fileURLToPath(new URL('../web/dist/', import.meta.url));
const BUDGET_GZIP_JS = 250_000;

function bundle() {
  const files = readdirSync(join(DIST, 'assets'));
  const sum = (ext: string) =>
    files
      .filter((f) => f.endsWith(ext))
      .reduce(
        (acc, f) => {
          const bytes = readFileSync(join(DIST, 'assets', f));
          return { raw: acc.raw + bytes.length, gzip: acc.gzip + gzipSync(bytes, { level: 9 }).length };
        },
        { raw: 0, gzip: 0 },
      );
  return { js: sum('.js'), css: sum('.css'), html: readFileSync(join(DIST, 'index.html')).length };
}

interface Profile {
  name: string;
  network?: { latency: number; downloadThroughput: number; uploadThroughput: number };
  cpuSlowdown?: number;
}
const PROFILES: Profile[] = [
  { name: 'loopback' },
  {
    name: 'mobile',
    network: {
      latency: 150,
      downloadThroughput: (1.6 * 1024 * 1024) / 8,
      uploadThroughput: (750 * 1024) / 8,
    },
    cpuSlowdown: 4,
  },
];

/** One cold load (fresh context, empty cache): FCP and, if `dataSelector`, when it first appears. */
async function load(browser: Browser, url: string, profile: Profile, dataSelector?: string) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  if (profile.network)
    await cdp.send('Network.emulateNetworkConditions', { offline: false, ...profile.network });
  if (profile.cpuSlowdown) await cdp.send('Emulation.setCPUThrottlingRate', { rate: profile.cpuSlowdown });
  if (dataSelector) {
    // Checked on every animation frame from the start: the time of the first frame that shows data.
    // (A string: tsx would wrap a named function in a helper the page does not have.)
    await page.addInitScript(`(() => {
      const check = (now) => {
        const el = document.querySelector(${JSON.stringify(dataSelector)});
        if (el && /[1-9]/.test(el.textContent || '')) window.dataShownAt = now;
        else requestAnimationFrame(check);
      };
      requestAnimationFrame(check);
    })();`);
  }
  await page.goto(url);
  const fcp = await page.waitForFunction(
    () => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? false,
    undefined,
    { polling: 50 },
  );
  const result = { fcp: (await fcp.jsonValue()) as number, data: Number.NaN };
  if (dataSelector) {
    const data = await page.waitForFunction(
      () => (window as unknown as { dataShownAt?: number }).dataShownAt ?? false,
      undefined,
      { polling: 50, timeout: 60_000 },
    );
    result.data = (await data.jsonValue()) as number;
  }
  await context.close();
  return result;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};
const round = (x: number, digits = 0) => Number(x.toFixed(digits));

async function main() {
  const size = bundle();
  console.error('== starting a devnet pool (its API serves web/dist)');
  const pool = await startPool();
  const blankPort = await freePort();
  const blank = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><html lang="en"><title>blank</title><p>blank</p></html>');
  });
  await new Promise<void>((r) => blank.listen(blankPort, '127.0.0.1', r));
  const chromium = await launchChromium();
  try {
    const miners = await until(
      () =>
        getJson<{ items: { address: string; hashrate: { current: number } }[] }>(
          `${pool.apiUrl}/api/v1/miners`,
        ),
      (p) => (p.items[0]?.hashrate.current ?? 0) > 0,
      'the stats job has figures',
    );
    const address = miners.items[0]!.address;
    const results: Record<string, Record<string, number>> = {};
    console.error(
      '| profile | page | FCP ms (median) | data shown ms (median) | FCP ÷ blank FCP | data ÷ blank FCP |',
    );
    console.error('|---|---|---:|---:|---:|---:|');
    for (const profile of PROFILES) {
      const blankFcp: number[] = [];
      const home = { fcp: [] as number[], data: [] as number[] };
      const miner = { fcp: [] as number[], data: [] as number[] };
      await load(chromium.browser, `${pool.apiUrl}/`, profile, '[data-testid=pool-hashrate]'); // warm the server
      for (let i = 0; i < runs; i++) {
        blankFcp.push((await load(chromium.browser, `http://127.0.0.1:${blankPort}/`, profile)).fcp);
        const h = await load(chromium.browser, `${pool.apiUrl}/`, profile, '[data-testid=pool-hashrate]');
        home.fcp.push(h.fcp);
        home.data.push(h.data);
        const m = await load(
          chromium.browser,
          `${pool.apiUrl}/miner/${address}`,
          profile,
          '[data-testid=miner-hashrate]',
        );
        miner.fcp.push(m.fcp);
        miner.data.push(m.data);
      }
      const b = median(blankFcp);
      const row = {
        blankFcpMs: round(b),
        homeFcpMs: round(median(home.fcp)),
        homeDataMs: round(median(home.data)),
        minerFcpMs: round(median(miner.fcp)),
        minerDataMs: round(median(miner.data)),
      };
      results[profile.name] = {
        ...row,
        homeFcpRatio: round(row.homeFcpMs / b, 2),
        homeDataRatio: round(row.homeDataMs / b, 2),
        minerDataRatio: round(row.minerDataMs / b, 2),
      };
      console.error(`| ${profile.name} | blank page | ${row.blankFcpMs} | — | 1 | — |`);
      console.error(
        `| ${profile.name} | home | ${row.homeFcpMs} | ${row.homeDataMs} | ${round(row.homeFcpMs / b, 2)} | ${round(row.homeDataMs / b, 2)} |`,
      );
      console.error(
        `| ${profile.name} | miner | ${row.minerFcpMs} | ${row.minerDataMs} | ${round(row.minerFcpMs / b, 2)} | ${round(row.minerDataMs / b, 2)} |`,
      );
    }
    // Pictures of a pool that has been running for the whole bench (for the README).
    const { context, page } = await newPage(chromium.browser, { width: 1280, height: 900 });
    for (const [path, name, selector] of [
      ['/', 'bench-home', 'pool-chart'],
      [`/miner/${address}`, 'bench-miner', 'miner-chart'],
    ] as const) {
      await page.goto(`${pool.apiUrl}${path}`);
      await page.getByTestId(selector).locator('canvas').waitFor();
      await page.waitForFunction(() => !document.querySelector('.loading'));
      console.error(`screenshot: ${await screenshot(page, name)}`);
    }
    await context.close();
    console.error(
      `bundle: JS ${size.js.raw} B (${size.js.gzip} B gzip, ${round((100 * size.js.gzip) / BUDGET_GZIP_JS, 1)} % of the budget), CSS ${size.css.raw} B (${size.css.gzip} B gzip)`,
    );
    console.log(
      JSON.stringify({
        bench: 'web',
        runs,
        jsBytes: size.js.raw,
        jsGzipBytes: size.js.gzip,
        cssGzipBytes: size.css.gzip,
        budgetGzipJsBytes: BUDGET_GZIP_JS,
        budgetRatio: round(size.js.gzip / BUDGET_GZIP_JS, 3),
        ...results,
      }),
    );
  } finally {
    await chromium.close();
    blank.close();
    await pool.stop();
  }
}

await main();
