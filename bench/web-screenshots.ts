/// <reference lib="dom" />
// The README's pictures of the website: the home page and a miner's dashboard of a running pool.
// Run against a pool that has been mining for a while (blocks confirmed, a payout made), e.g.
//   npm start   (then, some minutes later)   node --import tsx bench/web-screenshots.ts http://127.0.0.1:8080 docs/screenshots
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { getJson, launchChromium, newPage, screenshot } from '../test/web/harness.ts';

const [base = 'http://127.0.0.1:8080', outDir = 'docs/screenshots'] = process.argv.slice(2);
const miners = await getJson<{ items: { address: string }[] }>(`${base}/api/v1/miners`);
const address = miners.items[0]?.address;
if (!address) throw new Error(`${base} has no miner yet`);
mkdirSync(outDir, { recursive: true });
const chromium = await launchChromium();
try {
  const { context, page } = await newPage(chromium.browser, { width: 1280, height: 900 });
  for (const [path, name, chart] of [
    ['/', 'home', 'pool-chart'],
    [`/miner/${address}`, 'miner', 'miner-chart'],
  ] as const) {
    await page.goto(`${base}${path}`);
    await page.getByTestId(chart).locator('canvas').waitFor();
    await page.waitForFunction(() => !document.querySelector('.loading'));
    const shot = await screenshot(page, `readme-${name}`);
    copyFileSync(shot, join(outDir, `${name}.png`));
    console.log(join(outDir, `${name}.png`));
  }
  await context.close();
} finally {
  await chromium.close();
}
