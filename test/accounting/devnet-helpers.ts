import { after, afterEach, before, beforeEach } from 'node:test';
import {
  BlockTracker,
  PaymentRunner,
  type PaymentRunnerOptions,
  type PayoutRules,
  parseFees,
} from '../../src/accounting/index.ts';
import { networkDifficultyFromTarget } from '../../src/autolykos/index.ts';
import type { Database } from '../../src/db/index.ts';
import {
  ErgoNodeClient,
  ergoChainReader,
  ergoCoin,
  parseAddress,
  type WalletTransaction,
} from '../../src/ergo/index.ts';
import { type EngineName, type Fresh, freshDatabase } from '../db/helpers.ts';
import { competitorBlock, mineBlock, startTestNet, type TestNet } from '../devnet/helpers.ts';
import {
  assertLedgerOk,
  emptyTables,
  insertBlock,
  insertShare,
  minerAddress,
  POOL_ID,
} from './db-helpers.ts';

export const A = minerAddress('A');
export const B = minerAddress('B');
export const C = minerAddress('C');
export const FEE = minerAddress('fee');

export interface Pool {
  net: TestNet;
  /** Node 0: the wallet node. */
  client: ErgoNodeClient;
  /** Every node (two that share the chain and the pool key): payments are looked for in each mempool. */
  clients: ErgoNodeClient[];
  db: Database;
  /** Share/block times: strictly increasing. */
  clock: { s: number };
}

/**
 * Suite hooks for one engine: a fresh migrated database for the suite; empty tables and a new devnet per test;
 * the ledger invariants checked after each test. `use` receives the handles before every test.
 */
export function useDevnetPool(engine: EngineName, use: (db: Database, pool: Pool) => void): void {
  let fresh: Fresh;
  let pool: Pool;
  before(async () => {
    fresh = await freshDatabase(engine, { migrated: true });
  });
  after(() => fresh.cleanup());
  beforeEach(async () => {
    await emptyTables(fresh.db);
    pool = await startPoolNet(fresh.db);
    use(fresh.db, pool);
  });
  afterEach(async () => {
    await assertLedgerOk(fresh.db);
    await pool.net.devnet.close();
  });
}

export async function startPoolNet(db: Database): Promise<Pool> {
  // Height 1,925,000: the miner box holds 9 ERG with 6 ERG of re-emission tokens → 3 ERG per block.
  const net = await startTestNet({ rewardDelay: 3, nodes: 2 });
  const clients = net.devnet.nodes.map(
    (n, k) => new ErgoNodeClient({ name: `devnet${k}`, url: n.url, apiKey: 'devnet', retries: 0 }),
  );
  return { net, client: clients[0]!, clients, db, clock: { s: 0 } };
}

const at = (s: number) => new Date(Date.UTC(2026, 0, 1) + s * 1000);

/**
 * The pool finds a block on the devnet, as the share pipeline would record it: the miners' shares (address,
 * expected hashes at the block's network difficulty), the finder's block share last, the pending block row.
 * `record: false`: a block the pool mined but that is not in the database (the operator's float).
 */
export async function poolFindsBlock(
  pool: Pool,
  shares: [string, bigint][],
  options: { record?: boolean } = {},
): Promise<{ id: bigint | null; height: number; headerId: string }> {
  const { id: headerId, nonce, work } = await mineBlock(pool.net);
  if (options.record === false) return { id: null, height: work.h, headerId };
  const d = networkDifficultyFromTarget(work.b);
  let last = '';
  for (const [address, hashes] of shares) {
    pool.clock.s += 1;
    last = await insertShare(pool.db, {
      address,
      expectedHashes: hashes,
      networkDifficulty: d,
      at: at(pool.clock.s),
      height: work.h,
    });
  }
  const finder = shares.at(-1)?.[0] ?? A;
  const id = await insertBlock(pool.db, {
    height: work.h,
    nonce,
    miner: finder,
    at: at(pool.clock.s),
    networkDifficulty: d,
    shareId: last,
  });
  return { id, height: work.h, headerId };
}

export async function competitorBlocks(pool: Pool, n: number): Promise<void> {
  for (let k = 0; k < n; k++) await competitorBlock(pool.net);
}

export function tracker(pool: Pool, scheme: 'pplns' | 'pps' | 'solo' | 'prop' = 'pplns', confirmations = 3) {
  return new BlockTracker({
    db: pool.db,
    poolId: POOL_ID,
    chain: () => ergoChainReader(pool.client),
    poolPublicKey: pool.net.devnet.minerPublicKey,
    scheme,
    fees: parseFees([{ address: FEE, percent: '1' }]),
    pplnsFactor: { num: 2n, den: 1n },
    rules: { confirmations, orphanConfirmations: 2, giveUpAfter: 10 },
  });
}

/** The pool pays the transaction fees from its 1 % fee (FEE, as the tracker credits it). */
export const PAYOUT_RULES: PayoutRules = {
  minimum: 100_000_000n,
  outputsPerTx: 2,
  txFee: 1_000_000n,
  txFeePaidBy: 'pool',
  feePayers: [{ address: FEE, rate: { num: 1n, den: 100n } }],
  minOutputValue: 1_000_000n,
  partial: false,
};

export function payments(pool: Pool, extra: Partial<PaymentRunnerOptions> = {}) {
  return new PaymentRunner({
    db: pool.db,
    poolId: POOL_ID,
    wallet: () => pool.client,
    rules: PAYOUT_RULES,
    checkAddress: ergoCoin('mainnet').checkAddress,
    confirmations: 2,
    inFlightGraceMs: 0,
    mempools: () => pool.clients,
    ...extra,
  });
}

/** Σ nanoERG each address received in the wallet's transactions (confirmed and in the mempool), and how often. */
export async function received(pool: Pool): Promise<Map<string, { total: bigint; outputs: number }>> {
  const confirmed: Pick<WalletTransaction, 'id' | 'outputs'>[] = await pool.client.walletTransactions();
  const mempool = await pool.client.unconfirmedTransactions(100, 0);
  const seen = new Set<string>();
  const out = new Map<string, { total: bigint; outputs: number }>();
  const trees = new Map([A, B, C, FEE].map((a) => [parseTree(a), a]));
  for (const tx of [...confirmed, ...mempool]) {
    if (seen.has(tx.id)) continue;
    seen.add(tx.id);
    for (const o of tx.outputs) {
      const address = trees.get(o.ergoTree);
      if (!address) continue;
      const r = out.get(address) ?? { total: 0n, outputs: 0 };
      out.set(address, { total: r.total + o.value, outputs: r.outputs + 1 });
    }
  }
  return out;
}

function parseTree(address: string): string {
  return parseAddress(address).ergoTree;
}
