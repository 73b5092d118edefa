import { getOrCreate } from './exact.ts';
import {
  type Balance,
  balancesOf,
  creditedOf,
  type LedgerBlock,
  type LedgerEntry,
  type LedgerPayment,
} from './ledger.ts';

export interface LedgerSnapshot {
  entries: readonly LedgerEntry[];
  /** Balances as stored (the balances table); checked against the rows. */
  balances: readonly Balance[];
  blocks: readonly LedgerBlock[];
  payments: readonly LedgerPayment[];
}

const BUCKETS = ['immature', 'payable', 'paid'] as const;

function sumBy(
  entries: readonly LedgerEntry[],
  key: (e: LedgerEntry) => string | null,
  keep: (e: LedgerEntry) => boolean,
) {
  const out = new Map<string, Map<string, bigint>>();
  for (const e of entries) {
    const k = key(e);
    if (k === null || !keep(e)) continue;
    const m = getOrCreate(out, k, () => new Map<string, bigint>());
    m.set(e.address, (m.get(e.address) ?? 0n) + e.amount);
  }
  return out;
}

const total = (m: ReadonlyMap<string, bigint> | undefined) =>
  [...(m?.values() ?? [])].reduce((s, v) => s + v, 0n);

function checkRow(e: LedgerEntry): string | null {
  const sign = e.amount > 0n ? 1 : e.amount < 0n ? -1 : 0;
  const want = { block_credit: 1, pps_credit: 1, fee: 1, payout: -1, payout_reversal: 1, adjustment: 0 }[
    e.kind
  ];
  if (want === undefined) return `unknown kind ${e.kind}`;
  if (want !== 0 ? sign !== want : sign === 0) return `${e.kind} of ${e.amount}`;
  if (e.kind === 'block_credit' && e.blockId === null) return 'block_credit without a block';
  if ((e.kind === 'payout' || e.kind === 'payout_reversal') && (e.paymentId === null || e.blockId !== null))
    return `${e.kind} must name a payment and no block`;
  return null;
}

/**
 * Checks the ledger invariants of one pool and returns every violation (empty = consistent):
 * 1. rows are well formed (credits > 0, payouts < 0, payout rows name a payment, block credits a block);
 * 2. the credits of a block (block_credit + fee rows) sum to its reward exactly, and a confirmed block
 *    with a reward is credited;
 * 3. stored balances = the balances derived from the rows, bucket by bucket, for every address;
 * 4. paid + payable + immature = credited for every address; no bucket is negative (no negative payable);
 * 5. a payment's payout rows are its outputs plus its transaction fee (Σ debits = Σ outputs + fee: the fee
 *    is charged to the miners or to the pool's fee accounts, never to money nobody owns; no address debited
 *    less than it receives), are all reversed if it failed and none otherwise;
 *    a sent payment has a tx id, and no tx id belongs to two payments (never paid twice);
 *    rows never point at unknown blocks or payments.
 */
export function checkLedger(s: LedgerSnapshot): string[] {
  const problems: string[] = [];
  s.entries.forEach((e, i) => {
    const bad = checkRow(e);
    if (bad) problems.push(`row ${i} (${e.address}): ${bad}`);
  });

  const status = new Map(s.blocks.map((b) => [b.id, b.status]));
  const credits = sumBy(
    s.entries,
    (e) => e.blockId,
    (e) => e.kind === 'block_credit' || e.kind === 'fee',
  );
  for (const id of new Set(s.entries.flatMap((e) => (e.blockId === null ? [] : [e.blockId]))))
    if (!status.has(id)) problems.push(`rows for unknown block ${id}`);
  for (const b of s.blocks) {
    const sum = total(credits.get(b.id));
    const credited = b.credited || sum !== 0n;
    if (credited && sum !== (b.reward ?? 0n))
      problems.push(`block ${b.id}: credits ${sum} ≠ reward ${b.reward}`);
    if (b.status === 'confirmed' && (b.reward ?? 0n) > 0n && !credited)
      problems.push(`block ${b.id}: confirmed but not credited`);
  }

  const derived = balancesOf(s.entries, status);
  const stored = new Map(s.balances.map((b) => [b.address, b]));
  const credited = creditedOf(s.entries, status);
  for (const address of new Set([...derived.keys(), ...stored.keys()])) {
    const d = derived.get(address);
    const b = stored.get(address);
    for (const bucket of BUCKETS) {
      const want = d?.[bucket] ?? 0n;
      const have = b?.[bucket] ?? 0n;
      if (want !== have) problems.push(`${address}: ${bucket} balance ${have} ≠ Σ rows ${want}`);
      if (have < 0n) problems.push(`${address}: negative ${bucket} ${have}`);
    }
    const sum = (b?.paid ?? 0n) + (b?.payable ?? 0n) + (b?.immature ?? 0n);
    const c = credited.get(address) ?? 0n;
    if (sum !== c) problems.push(`${address}: paid + payable + immature = ${sum} ≠ credited ${c}`);
  }

  const payouts = sumBy(
    s.entries,
    (e) => e.paymentId,
    (e) => e.kind === 'payout',
  );
  const reversals = sumBy(
    s.entries,
    (e) => e.paymentId,
    (e) => e.kind === 'payout_reversal',
  );
  const known = new Set(s.payments.map((p) => p.id));
  for (const id of new Set(s.entries.flatMap((e) => (e.paymentId === null ? [] : [e.paymentId]))))
    if (!known.has(id)) problems.push(`rows for unknown payment ${id}`);
  const txIds = new Map<string, string>();
  for (const p of s.payments) {
    const debits = payouts.get(p.id) ?? new Map<string, bigint>();
    const outputs = new Map<string, bigint>();
    for (const o of p.outputs) outputs.set(o.address, (outputs.get(o.address) ?? 0n) + o.amount);
    const debited = -total(debits);
    const sent = total(outputs);
    if (debited !== sent + p.fee)
      problems.push(`payment ${p.id}: debits ${debited} ≠ outputs ${sent} + fee ${p.fee}`);
    for (const a of new Set([...debits.keys(), ...outputs.keys()])) {
      if (-(debits.get(a) ?? 0n) < (outputs.get(a) ?? 0n))
        problems.push(`payment ${p.id}: ${a} receives more than it was debited`);
    }
    const back = reversals.get(p.id) ?? new Map<string, bigint>();
    for (const a of new Set([...debits.keys(), ...back.keys()])) {
      const r = back.get(a) ?? 0n;
      const want = p.status === 'failed' ? -(debits.get(a) ?? 0n) : 0n;
      if (r !== want) problems.push(`payment ${p.id} (${p.status}): ${a} reversed ${r}, expected ${want}`);
    }
    if ((p.status === 'sent' || p.status === 'confirmed') && !p.txId)
      problems.push(`payment ${p.id}: ${p.status} without a tx id`);
    if (p.txId) {
      const other = txIds.get(p.txId);
      if (other !== undefined) problems.push(`payments ${other} and ${p.id} share tx ${p.txId}`);
      txIds.set(p.txId, p.id);
    }
  }
  return problems;
}

/** The ledger of every pool of a deployment, by pool id. */
export type PoolLedgers = ReadonlyMap<string, LedgerSnapshot>;

/**
 * Checks every pool's ledger on its own (checkLedger; each problem prefixed `pool <id>: `) and the pools
 * against each other, so no nanoERG crosses between them unnoticed: a row names a block or a payment of
 * another pool; a block or a payment is listed in two pools; a transaction id belongs to payments of two
 * pools (paid twice).
 */
export function checkPoolLedgers(pools: PoolLedgers): string[] {
  const problems: string[] = [];
  const blockPool = new Map<string, string>();
  const paymentPool = new Map<string, string>();
  const txPayment = new Map<string, { pool: string; payment: string }>();
  for (const [pool, s] of pools) {
    for (const p of checkLedger(s)) problems.push(`pool ${pool}: ${p}`);
    for (const b of s.blocks) {
      const other = blockPool.get(b.id);
      if (other !== undefined) problems.push(`block ${b.id} is listed in pools ${other} and ${pool}`);
      else blockPool.set(b.id, pool);
    }
    for (const p of s.payments) {
      const other = paymentPool.get(p.id);
      if (other !== undefined) problems.push(`payment ${p.id} is listed in pools ${other} and ${pool}`);
      else paymentPool.set(p.id, pool);
      if (!p.txId) continue;
      const first = txPayment.get(p.txId);
      if (first && first.pool !== pool)
        problems.push(
          `payments ${first.payment} (pool ${first.pool}) and ${p.id} (pool ${pool}) share tx ${p.txId}`,
        );
      else if (!first) txPayment.set(p.txId, { pool, payment: p.id });
    }
  }
  for (const [pool, s] of pools)
    s.entries.forEach((e, i) => {
      const blockOf = e.blockId === null ? pool : (blockPool.get(e.blockId) ?? pool);
      if (blockOf !== pool)
        problems.push(`pool ${pool}: row ${i} (${e.address}) names block ${e.blockId} of pool ${blockOf}`);
      const paymentOf = e.paymentId === null ? pool : (paymentPool.get(e.paymentId) ?? pool);
      if (paymentOf !== pool)
        problems.push(
          `pool ${pool}: row ${i} (${e.address}) names payment ${e.paymentId} of pool ${paymentOf}`,
        );
    });
  return problems;
}

export class LedgerInvariantError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`ledger invariants violated:\n  ${problems.join('\n  ')}`);
    this.name = 'LedgerInvariantError';
  }
}

/** Throws a LedgerInvariantError listing every violation. */
export function assertLedger(s: LedgerSnapshot): void {
  const problems = checkLedger(s);
  if (problems.length > 0) throw new LedgerInvariantError(problems);
}
