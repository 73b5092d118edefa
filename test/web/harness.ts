// For the website's browser tests and bench: a real devnet pool in a child process (`enigmapool start`,
// which serves web/dist on its API port), or the API alone over a seeded database of two pools, and
// Debian's Chromium driven by playwright-core.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { DESCRIPTION, type Served, SOLO, seed, serve } from '../api/fixture.ts';
import { freshDatabase } from '../db/helpers.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin/enigmapool');
export const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = join(ROOT, 'test-artifacts/web');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export interface PoolProcess {
  apiUrl: string;
  stratumPort: number;
  lines: string[];
  child: ChildProcess;
  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  /** Ctrl-C, once (a second one would make the pool exit at once, uncleanly). */
  interrupt(): void;
  /** Ctrl-C and wait for the exit code; removes the data directory. */
  stop(): Promise<number | null>;
  dataDir: string;
}

/** `enigmapool start --devnet` with its API on a free port; resolves once the API answers. */
export async function startPool(env: Record<string, string> = {}): Promise<PoolProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ep-web-'));
  const apiPort = await freePort();
  const args = [
    'start',
    '--devnet',
    '--devnet-port',
    '0',
    '--stratum-port',
    '0',
    '--api-port',
    String(apiPort),
  ];
  const child = spawn(BIN, [...args, '--data-dir', dataDir], {
    env: {
      ...process.env,
      ENIGMAPOOL_LOG__FORMAT: 'json',
      ENIGMAPOOL_DEVNET__DIFFICULTY: '20000',
      ENIGMAPOOL_STATS__INTERVALSECONDS: '5',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const lines: string[] = [];
  let buffer = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    buffer += chunk;
    const parts = buffer.split('\n');
    buffer = parts.pop()!;
    for (const line of parts) {
      if (!line) continue;
      try {
        lines.push(String(JSON.parse(line).msg));
      } catch {
        lines.push(line);
      }
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let exitCode: number | null | undefined;
  void exited.then((code) => {
    exitCode = code;
  });
  const waitFor = async (pattern: RegExp, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (const l of lines) {
        const m = l.match(pattern);
        if (m) return m;
      }
      if (exitCode !== undefined)
        throw new Error(`pool exited (${exitCode}) before ${pattern}:\n${lines.join('\n')}`);
      if (Date.now() > deadline) throw new Error(`no log line ${pattern} in:\n${lines.join('\n')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  let interrupted = false;
  const interrupt = () => {
    if (interrupted || exitCode !== undefined) return;
    interrupted = true;
    child.kill('SIGINT');
  };
  const stop = async () => {
    interrupt();
    const code = await exited;
    rmSync(dataDir, { recursive: true, force: true });
    return code;
  };
  try {
    const stratum = await waitFor(/point miners at stratum\+tcp:\/\/127\.0\.0\.1:(\d+)/, 180_000);
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    await waitForHttp(`${apiUrl}/api/v1/pool`, 180_000);
    return { apiUrl, stratumPort: Number(stratum[1]), lines, child, waitFor, interrupt, stop, dataDir };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * The website served by the API over test/api's seeded database of two pools (the default PPLNS pool and a
 * SOLO neighbour, alice mining in both): no pool process, fixed figures.
 */
export async function serveSeededPools(): Promise<{ url: string; served: Served; close(): Promise<void> }> {
  const fresh = await freshDatabase('pglite', { migrated: true });
  try {
    await seed(fresh.db);
    const served = await serve(fresh.db, { webDir: join(ROOT, 'web/dist') }, [DESCRIPTION, SOLO]);
    return {
      url: served.api.url,
      served,
      async close() {
        await served.close();
        await fresh.cleanup();
      },
    };
  } catch (err) {
    await fresh.cleanup();
    throw err;
  }
}

async function waitForHttp(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Polls `read` until `accept` holds (counting answers, not timing them). */
export async function until<T>(
  read: () => Promise<T>,
  accept: (v: T) => boolean,
  what: string,
  timeoutMs = 120_000,
) {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await read();
    if (accept(last)) return last;
    if (Date.now() > deadline) throw new Error(`${what}: last value ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export async function getJson<T>(url: string): Promise<T> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: ${r.status}`);
  return (await r.json()) as T;
}

export interface Chromium {
  browser: Browser;
  close(): Promise<void>;
}

export function hasChromium(): boolean {
  return existsSync(CHROMIUM);
}

/**
 * Debian's Chromium, headless, with nothing that calls home. Playwright's launch() gives it a fresh
 * temporary profile directory (its own --user-data-dir) every time, removed on close.
 */
export async function launchChromium(): Promise<Chromium> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  return {
    browser,
    close: () => browser.close(),
  };
}

/** Console errors and uncaught exceptions of a page, for the "no console errors" checks. */
export function watchConsole(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`${page.url()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`${page.url()}: uncaught ${e.message}`));
  return errors;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

export async function newPage(
  browser: Browser,
  options: { width: number; height: number; dark?: boolean; clockAt?: number },
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: { width: options.width, height: options.height },
    colorScheme: options.dark ? 'dark' : 'light',
    // Relative times and the absolute ones in UTC read the same wherever the test runs.
    timezoneId: 'UTC',
    locale: 'en-US',
  });
  // The machine is shared and small: waits for what a page shows get a minute, not Playwright's 30 s.
  context.setDefaultTimeout(60_000);
  // A seeded server with a frozen clock: the page's clock reads the same (timers keep running), so "ago"
  // and the charts' last 24 hours are the data's, not a gap of weeks.
  if (options.clockAt !== undefined) await context.clock.setFixedTime(options.clockAt);
  return { context, page: await context.newPage() };
}
