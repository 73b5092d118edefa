import type { Sql } from './types.ts';

export interface BalanceMismatch {
  poolId: string;
  address: string;
  /** The `balances` row (zeros when missing). */
  stored: { immature: bigint; payable: bigint; paid: bigint };
  /** Recomputed from ledger_entries and block statuses (view balances_from_ledger). */
  fromLedger: { immature: bigint; payable: bigint; paid: bigint };
}

interface Row {
  pool_id: string;
  address: string;
  s_immature: bigint;
  s_payable: bigint;
  s_paid: bigint;
  l_immature: bigint;
  l_payable: bigint;
  l_paid: bigint;
}

/**
 * The (pool, address) pairs whose `balances` row differs from the ledger, over every pool (an empty list when
 * the invariant holds). A balance is compared with its own pool's entries only, so money moved from one pool
 * to another shows even when the address's total over all pools agrees. The triggers of migrations 0003 and
 * 0008 keep them equal; this is the independent check for tests and audits.
 */
export async function checkBalances(sql: Sql): Promise<BalanceMismatch[]> {
  const result = await sql.query<Row>(
    `SELECT coalesce(s.pool_id, l.pool_id) AS pool_id, coalesce(s.address, l.address) AS address,
            coalesce(s.immature, 0) AS s_immature, coalesce(s.payable, 0) AS s_payable,
            coalesce(s.paid, 0) AS s_paid,
            coalesce(l.immature, 0) AS l_immature, coalesce(l.payable, 0) AS l_payable,
            coalesce(l.paid, 0) AS l_paid
       FROM balances s
       FULL JOIN balances_from_ledger l ON l.pool_id = s.pool_id AND l.address = s.address
      WHERE (coalesce(s.immature, 0), coalesce(s.payable, 0), coalesce(s.paid, 0))
            <> (coalesce(l.immature, 0), coalesce(l.payable, 0), coalesce(l.paid, 0))
      ORDER BY 1, 2`,
  );
  return result.rows.map((r) => ({
    poolId: r.pool_id,
    address: r.address,
    stored: { immature: r.s_immature, payable: r.s_payable, paid: r.s_paid },
    fromLedger: { immature: r.l_immature, payable: r.l_payable, paid: r.l_paid },
  }));
}
