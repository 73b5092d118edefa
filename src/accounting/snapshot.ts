import { checkBalances, type Sql } from '../db/index.ts';
import type { BlockStatus } from './classify.ts';
import { checkPoolLedgers, type LedgerSnapshot, type PoolLedgers } from './invariants.ts';
import type { LedgerKind, PaymentStatus } from './ledger.ts';
import { bigOf, bigOrNull } from './rows.ts';

interface Mutable {
  entries: LedgerSnapshot['entries'][number][];
  balances: LedgerSnapshot['balances'][number][];
  blocks: LedgerSnapshot['blocks'][number][];
  payments: LedgerSnapshot['payments'][number][];
}

const empty = (): Mutable => ({ entries: [], balances: [], blocks: [], payments: [] });

/**
 * Reads the ledger (rows, balances, blocks, payments with outputs) for the invariant checker, by pool: every
 * pool of the database, or only `poolId`. Each row goes to the pool it names, so a row pointing at another
 * pool's block shows as such.
 */
export async function loadPoolLedgers(sql: Sql, poolId?: string): Promise<Map<string, LedgerSnapshot>> {
  const scope = [poolId ?? null];
  const entries = await sql.query<{
    pool_id: string;
    address: string;
    kind: LedgerKind;
    amount: bigint;
    block_id: bigint | null;
    payment_id: bigint | null;
    reason: string;
  }>(
    `SELECT pool_id, address, kind, amount, block_id, payment_id, reason FROM ledger_entries
      WHERE $1::text IS NULL OR pool_id = $1 ORDER BY id`,
    scope,
  );
  const balances = await sql.query<{
    pool_id: string;
    address: string;
    immature: bigint;
    payable: bigint;
    paid: bigint;
  }>(
    `SELECT pool_id, address, immature, payable, paid FROM balances
      WHERE $1::text IS NULL OR pool_id = $1 ORDER BY pool_id, address`,
    scope,
  );
  const blocks = await sql.query<{
    pool_id: string;
    id: bigint;
    status: BlockStatus;
    reward: bigint | null;
    credited_at: Date | null;
  }>(
    `SELECT pool_id, id, status, reward, credited_at FROM blocks
      WHERE $1::text IS NULL OR pool_id = $1 ORDER BY id`,
    scope,
  );
  const payments = await sql.query<{
    pool_id: string;
    id: bigint;
    status: PaymentStatus;
    tx_id: string | null;
    fee: bigint | null;
  }>(
    `SELECT pool_id, id, status, tx_id, fee FROM payments WHERE $1::text IS NULL OR pool_id = $1 ORDER BY id`,
    scope,
  );
  const outputs = await sql.query<{ payment_id: bigint; address: string; amount: bigint }>(
    `SELECT o.payment_id, o.address, o.amount FROM payment_outputs o JOIN payments p ON p.id = o.payment_id
      WHERE $1::text IS NULL OR p.pool_id = $1 ORDER BY o.payment_id, o.address`,
    scope,
  );
  const pools = new Map<string, Mutable>();
  const of = (pool: string) => {
    let s = pools.get(pool);
    if (!s) {
      s = empty();
      pools.set(pool, s);
    }
    return s;
  };
  if (poolId !== undefined) of(poolId);
  for (const e of entries.rows)
    of(e.pool_id).entries.push({
      address: e.address,
      kind: e.kind,
      amount: bigOf(e.amount),
      blockId: e.block_id === null ? null : String(e.block_id),
      paymentId: e.payment_id === null ? null : String(e.payment_id),
      reason: e.reason,
    });
  for (const b of balances.rows)
    of(b.pool_id).balances.push({
      address: b.address,
      immature: bigOf(b.immature),
      payable: bigOf(b.payable),
      paid: bigOf(b.paid),
    });
  for (const b of blocks.rows)
    of(b.pool_id).blocks.push({
      id: String(b.id),
      status: b.status,
      reward: bigOrNull(b.reward),
      credited: b.credited_at !== null,
    });
  for (const p of payments.rows)
    of(p.pool_id).payments.push({
      id: String(p.id),
      status: p.status,
      txId: p.tx_id,
      fee: bigOrNull(p.fee) ?? 0n,
      outputs: outputs.rows
        .filter((o) => o.payment_id === p.id)
        .map((o) => ({ address: o.address, amount: bigOf(o.amount) })),
    });
  return pools;
}

/** One pool's ledger (rows, balances, blocks, payments with outputs) for the invariant checker. */
export async function loadLedgerSnapshot(sql: Sql, poolId: string): Promise<LedgerSnapshot> {
  return (await loadPoolLedgers(sql, poolId)).get(poolId) ?? empty();
}

/**
 * Every ledger invariant over the database, for every pool and across pools: the pure checker
 * (checkPoolLedgers) on the loaded rows, plus the database's own comparison of `balances` with the view
 * recomputed from the ledger, per pool and address.
 */
export async function checkDatabaseLedger(sql: Sql): Promise<string[]> {
  const pools: PoolLedgers = await loadPoolLedgers(sql);
  const problems = checkPoolLedgers(pools);
  for (const m of await checkBalances(sql))
    problems.push(
      `pool ${m.poolId}: ${m.address}: balances row ${JSON.stringify(m.stored, big)} ≠ view ${JSON.stringify(m.fromLedger, big)}`,
    );
  return problems;
}

const big = (_k: string, v: unknown) => (typeof v === 'bigint' ? v.toString() : v);
