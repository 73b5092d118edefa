import { checkBalances, type Sql } from '../db/index.ts';
import type { BlockStatus } from './classify.ts';
import { checkLedger, type LedgerSnapshot } from './invariants.ts';
import type { LedgerKind, PaymentStatus } from './ledger.ts';
import { bigOf, bigOrNull } from './rows.ts';

/** Reads the whole ledger (rows, balances, blocks, payments with outputs) for the invariant checker. */
export async function loadLedgerSnapshot(sql: Sql): Promise<LedgerSnapshot> {
  const entries = await sql.query<{
    address: string;
    kind: LedgerKind;
    amount: bigint;
    block_id: bigint | null;
    payment_id: bigint | null;
    reason: string;
  }>('SELECT address, kind, amount, block_id, payment_id, reason FROM ledger_entries ORDER BY id');
  const balances = await sql.query<{ address: string; immature: bigint; payable: bigint; paid: bigint }>(
    'SELECT address, immature, payable, paid FROM balances ORDER BY address',
  );
  const blocks = await sql.query<{
    id: bigint;
    status: BlockStatus;
    reward: bigint | null;
    credited_at: Date | null;
  }>('SELECT id, status, reward, credited_at FROM blocks ORDER BY id');
  const payments = await sql.query<{
    id: bigint;
    status: PaymentStatus;
    tx_id: string | null;
    fee: bigint | null;
  }>('SELECT id, status, tx_id, fee FROM payments ORDER BY id');
  const outputs = await sql.query<{ payment_id: bigint; address: string; amount: bigint }>(
    'SELECT payment_id, address, amount FROM payment_outputs ORDER BY payment_id, address',
  );
  return {
    entries: entries.rows.map((e) => ({
      address: e.address,
      kind: e.kind,
      amount: bigOf(e.amount),
      blockId: e.block_id === null ? null : String(e.block_id),
      paymentId: e.payment_id === null ? null : String(e.payment_id),
      reason: e.reason,
    })),
    balances: balances.rows.map((b) => ({
      address: b.address,
      immature: bigOf(b.immature),
      payable: bigOf(b.payable),
      paid: bigOf(b.paid),
    })),
    blocks: blocks.rows.map((b) => ({
      id: String(b.id),
      status: b.status,
      reward: bigOrNull(b.reward),
      credited: b.credited_at !== null,
    })),
    payments: payments.rows.map((p) => ({
      id: String(p.id),
      status: p.status,
      txId: p.tx_id,
      fee: bigOrNull(p.fee) ?? 0n,
      outputs: outputs.rows
        .filter((o) => o.payment_id === p.id)
        .map((o) => ({ address: o.address, amount: bigOf(o.amount) })),
    })),
  };
}

/**
 * Every ledger invariant over the database: the pure checker (checkLedger) on the loaded rows, plus the
 * database's own comparison of `balances` with the view recomputed from the ledger.
 */
export async function checkDatabaseLedger(sql: Sql): Promise<string[]> {
  const problems = checkLedger(await loadLedgerSnapshot(sql));
  for (const m of await checkBalances(sql))
    problems.push(
      `${m.address}: balances row ${JSON.stringify(m.stored, big)} ≠ view ${JSON.stringify(m.fromLedger, big)}`,
    );
  return problems;
}

const big = (_k: string, v: unknown) => (typeof v === 'bigint' ? v.toString() : v);
