import type { Sql } from './types.ts';

/**
 * A lease (table `leases`): one holder at a time for a singleton job, across any number of processes on
 * one database. Taken when free, expired or already ours, in one statement; the fencing token grows each
 * time the lease changes hands, so work done under a lease that was lost meanwhile can be refused by
 * checking the token in the same transaction as the writes (`holdsLease`).
 */
export interface Lease {
  name: string;
  holder: string;
  token: bigint;
}

/** Takes or renews the lease for `ttlMs`; null when another holder has it. */
export async function acquireLease(
  sql: Sql,
  name: string,
  holder: string,
  ttlMs: number,
): Promise<Lease | null> {
  const r = await sql.query<{ token: bigint }>(
    `INSERT INTO leases AS l (name, holder, token, expires_at)
       VALUES ($1, $2, 1, now() + $3::double precision * interval '1 millisecond')
     ON CONFLICT (name) DO UPDATE
       SET token = CASE WHEN l.holder = EXCLUDED.holder THEN l.token ELSE l.token + 1 END,
           holder = EXCLUDED.holder,
           expires_at = EXCLUDED.expires_at
       WHERE l.holder = EXCLUDED.holder OR l.expires_at < now()
     RETURNING token`,
    [name, holder, ttlMs],
  );
  const row = r.rows[0];
  return row ? { name, holder, token: row.token } : null;
}

/**
 * Inside a transaction: true while `lease` is still held (same holder and token, not expired); the row is
 * locked until the transaction ends, so the lease cannot change hands before the writes commit.
 */
export async function holdsLease(tx: Sql, lease: Lease): Promise<boolean> {
  const r = await tx.query(
    `SELECT 1 FROM leases WHERE name = $1 AND holder = $2 AND token = $3 AND expires_at > now() FOR UPDATE`,
    [lease.name, lease.holder, lease.token],
  );
  return r.rowCount > 0;
}

/** Gives the lease up (a clean shutdown), so a standby takes it at once. */
export async function releaseLease(sql: Sql, lease: Lease): Promise<void> {
  await sql.query(
    `UPDATE leases SET expires_at = now() - interval '1 second' WHERE name = $1 AND holder = $2`,
    [lease.name, lease.holder],
  );
}
