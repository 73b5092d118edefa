import { bytesToHex, computeHit, type HitKernel, hexToBytes, loadKernel } from '../../src/autolykos/index.ts';
import { type Devnet, type DevnetOptions, startDevnet } from '../../src/devnet/index.ts';
import { parseNodeJson, stringifyNodeJson, type WorkMessage } from '../../src/ergo/index.ts';

export const BLOCK_MS = 30_000;
export const START_TIME = 1_790_000_000_000;

/** A manual clock: the tests advance it one block interval per block so the difficulty stays put. */
export interface Clock {
  t: number;
}

export interface TestNet {
  devnet: Devnet;
  clock: Clock;
  kernel: HitKernel;
}

let kernel: HitKernel | null = null;

/** A devnet on an ephemeral loopback port at difficulty 20 (≈20 hashes per block) with a manual clock. */
export async function startTestNet(options: DevnetOptions = {}): Promise<TestNet> {
  const clock = { t: START_TIME };
  kernel ??= await loadKernel('best');
  const devnet = await startDevnet({ port: 0, difficulty: 20n, now: () => clock.t, ...options });
  return { devnet, clock, kernel };
}

// biome-ignore lint/suspicious/noExplicitAny: node JSON bodies of many shapes, checked field by field in the tests
export interface Answer<T = any> {
  status: number;
  body: T;
  text: string;
}

/** Plain fetch + the node JSON codec (big integers stay exact both ways). */
// biome-ignore lint/suspicious/noExplicitAny: as above
export async function call<T = any>(
  base: string,
  path: string,
  init: {
    method?: string;
    body?: unknown;
    rawBody?: string;
    headers?: Record<string, string>;
    signal?: AbortSignal;
  } = {},
): Promise<Answer<T>> {
  const body = init.rawBody ?? (init.body === undefined ? undefined : stringifyNodeJson(init.body));
  const res = await fetch(`${base}${path}`, {
    method: init.method ?? (body === undefined ? 'GET' : 'POST'),
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
    body,
    signal: init.signal ?? AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  return { status: res.status, text, body: (text === '' ? undefined : parseNodeJson(text)) as T };
}

export const walletHeaders = { api_key: 'devnet' };

/** Searches nonces from `start` until hit < b (or, with wantValid false, until hit ≥ b). */
export function findNonce(
  k: HitKernel,
  work: { msg: string; b: bigint; h: number },
  start = 0n,
  wantValid = true,
): string {
  const msg = hexToBytes(work.msg, 'msg', 32);
  for (let i = start; i < start + 1_000_000n; i++) {
    const nonce = new Uint8Array(8);
    new DataView(nonce.buffer).setBigUint64(0, i);
    const hit = computeHit(k, { msg, nonce, height: work.h });
    if (hit < work.b === wantValid) return bytesToHex(nonce);
  }
  throw new Error('no nonce found');
}

export async function candidate(base: string): Promise<WorkMessage> {
  const r = await call<WorkMessage>(base, '/mining/candidate');
  if (r.status !== 200) throw new Error(`candidate: ${r.status} ${r.text}`);
  return r.body;
}

/** Mines the current candidate outside the devnet and submits it over HTTP (one block interval later). */
export async function mineBlock(
  net: TestNet,
  base = net.devnet.url,
): Promise<{ id: string; nonce: string; work: WorkMessage }> {
  const work = await candidate(base);
  const nonce = findNonce(net.kernel, work);
  net.clock.t += BLOCK_MS;
  const r = await call(base, '/mining/solution', { body: { n: nonce } });
  if (r.status !== 200) throw new Error(`solution rejected: ${r.status} ${r.text}`);
  const ids = await call<string[]>(base, `/blocks/at/${work.h}`);
  return { id: ids.body[0]!, nonce, work };
}

/** A competitor block one interval later. */
export async function competitorBlock(net: TestNet): Promise<void> {
  net.clock.t += BLOCK_MS;
  await net.devnet.mineCompetitorBlock();
}
