import type { Sql } from './types.ts';

export interface BalanceMismatch {
  address: string;
  /** The `balances` row (zeros when missing). */
  stored: { immature: bigint; payable: bigint; paid: bigint };
  /** Recomputed from ledger_entries and block statuses (view balances_from_ledger). */
  fromLedger: { immature: bigint; payable: bigint; paid: bigint };
}

interface Row {
  address: string;
  s_immature: bigint;
  s_payable: bigint;
  s_paid: bigint;
  l_immature: bigint;
  l_payable: bigint;
  l_paid: bigint;
}

/**
 * Addresses whose `balances` row differs from the ledger (an empty list when the invariant holds). The
 * triggers of migration 0003 keep them equal; this is the independent check for tests and audits.
 */
export async function checkBalances(sql: Sql): Promise<BalanceMismatch[]> {
  const result = await sql.query<Row>(
    `SELECT coalesce(s.address, l.address) AS address,
            coalesce(s.immature, 0) AS s_immature, coalesce(s.payable, 0) AS s_payable,
            coalesce(s.paid, 0) AS s_paid,
            coalesce(l.immature, 0) AS l_immature, coalesce(l.payable, 0) AS l_payable,
            coalesce(l.paid, 0) AS l_paid
       FROM balances s
       FULL JOIN balances_from_ledger l ON l.address = s.address
      WHERE (coalesce(s.immature, 0), coalesce(s.payable, 0), coalesce(s.paid, 0))
            <> (coalesce(l.immature, 0), coalesce(l.payable, 0), coalesce(l.paid, 0))
      ORDER BY 1`,
  );
  return result.rows.map((r) => ({
    address: r.address,
    stored: { immature: r.s_immature, payable: r.s_payable, paid: r.s_paid },
    fromLedger: { immature: r.l_immature, payable: r.l_payable, paid: r.l_paid },
  }));
}
