import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { checkDatabaseLedger } from '../../src/accounting/index.ts';
import type { Sql } from '../../src/db/index.ts';
import { p2pkAddress } from '../../src/ergo/index.ts';

/** The pool the tests account for (config pool.id's default); another pool's rows must never count. */
export const POOL_ID = 'ergo';

/** A real mainnet P2PK address of a key derived from `name` (valid for the node and the devnet wallet). */
export function minerAddress(name: string): string {
  const secret = sha256(new TextEncoder().encode(`accounting test ${name}`));
  return p2pkAddress(Buffer.from(secp256k1.getPublicKey(secret, true)).toString('hex'), 'mainnet');
}

export interface ShareSpec {
  /** Default POOL_ID. */
  pool?: string;
  address: string;
  expectedHashes: bigint;
  networkDifficulty: bigint;
  at: Date;
  height?: number;
  id?: string;
  nonce?: string;
  isBlock?: boolean;
}

export async function insertShare(sql: Sql, s: ShareSpec): Promise<string> {
  const id = s.id ?? randomUUID();
  await sql.query(
    `INSERT INTO shares (id, pool_id, address, worker, difficulty, expected_hashes, job_id, height,
                         network_difficulty, nonce, hit, created_at, is_block, block_accepted)
     VALUES ($1, $9, $2, 'rig', 1, $3, 'job', $4, $5, $6, 0, $7, $8, $8)`,
    [
      id,
      s.address,
      s.expectedHashes,
      s.height ?? 1_925_001,
      s.networkDifficulty,
      s.nonce ?? '0000000000000000',
      s.at,
      s.isBlock ?? false,
      s.pool ?? POOL_ID,
    ],
  );
  return id;
}

export interface BlockSpec {
  /** Default POOL_ID. */
  pool?: string;
  height: number;
  nonce: string;
  miner: string;
  at: Date;
  networkDifficulty?: bigint;
  shareId?: string;
}

/** A pool block as the share pipeline records it (pending). */
export async function insertBlock(sql: Sql, b: BlockSpec): Promise<bigint> {
  const r = await sql.query<{ id: bigint }>(
    `INSERT INTO blocks (pool_id, height, nonce, miner_address, share_id, network_difficulty, created_at)
     VALUES ($7, $1, $2, $3, $4, $5, $6) RETURNING id`,
    [b.height, b.nonce, b.miner, b.shareId ?? null, b.networkDifficulty ?? 20n, b.at, b.pool ?? POOL_ID],
  );
  return r.rows[0]!.id;
}

export async function balanceOf(sql: Sql, address: string, pool = POOL_ID) {
  const r = await sql.query<{ immature: bigint; payable: bigint; paid: bigint }>(
    'SELECT immature, payable, paid FROM balances WHERE pool_id = $2 AND address = $1',
    [address, pool],
  );
  const b = r.rows[0];
  return { immature: b?.immature ?? 0n, payable: b?.payable ?? 0n, paid: b?.paid ?? 0n };
}

export async function blockRow(sql: Sql, id: bigint) {
  const r = await sql.query<{
    status: string;
    reward: bigint | null;
    confirmations: number;
    header_id: string | null;
    credited_at: Date | null;
    effort: string | null;
    last_error: string | null;
    scheme: string | null;
  }>(
    'SELECT status, reward, confirmations, header_id, credited_at, effort, last_error, scheme FROM blocks WHERE id = $1',
    [id],
  );
  return r.rows[0]!;
}

/**
 * Every ledger invariant holds, in every pool and across pools (pure checker over the rows + the database's
 * own balances check).
 */
export async function assertLedgerOk(sql: Sql): Promise<void> {
  assert.deepEqual(await checkDatabaseLedger(sql), []);
}

export async function ledgerSum(sql: Sql, where: string, params: unknown[] = []): Promise<bigint> {
  const r = await sql.query<{ s: string | null }>(
    `SELECT sum(amount) AS s FROM ledger_entries WHERE ${where}`,
    params,
  );
  return BigInt(r.rows[0]?.s ?? '0');
}

const TABLES = [
  'ledger_entries',
  'balances',
  'payment_outputs',
  'payments',
  'blocks',
  'shares',
  'miner_settings',
  'share_retention_holds',
  'share_ingest_progress',
  'pool_cursors',
];

/** Empties every accounting-related table (TRUNCATE fires no row triggers) and restarts the ids. */
export async function emptyTables(sql: Sql): Promise<void> {
  await sql.exec(`TRUNCATE ${TABLES.join(', ')} RESTART IDENTITY CASCADE`);
}
