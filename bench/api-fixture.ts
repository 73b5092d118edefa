import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import type { PoolDescription } from '../src/api/index.ts';
import type { Sql } from '../src/db/index.ts';
import { p2pkAddress } from '../src/ergo/index.ts';

/** A valid mainnet address per index (a key derived from it). */
export function benchAddress(i: number): string {
  const secret = sha256(new TextEncoder().encode(`bench miner ${i}`));
  return p2pkAddress(Buffer.from(secp256k1.getPublicKey(secret, true)).toString('hex'), 'mainnet');
}

export const BENCH_POOL: PoolDescription = {
  id: 'ergo',
  name: 'Bench Pool',
  network: 'mainnet',
  coin: { name: 'Ergo', symbol: 'ERG', decimals: 9, algorithm: 'Autolykos v2', family: 'ergo' },
  address: null,
  payouts: {
    enabled: true,
    scheme: 'pplns',
    pplnsFactor: '2',
    fees: [],
    feePercent: '0',
    fee: { num: 0n, den: 1n },
    minimum: 1_000_000_000n,
    intervalSeconds: 600,
    confirmations: 720,
    txFeePaidBy: 'pool',
    txFee: 1_000_000n,
  },
  stratum: {
    host: '127.0.0.1',
    ports: [
      {
        port: 3052,
        name: null,
        tls: false,
        tlsDetect: false,
        difficulty: { start: '1', min: '0.0001', max: '1000000' },
        vardiff: { targetSeconds: 15, retargetSeconds: 90, variancePercent: 30 },
      },
    ],
    ban: { enabled: true, checkThreshold: 100, invalidPercent: 50, banSeconds: 600 },
    idleTimeoutSeconds: 600,
    pollIntervalMs: 500,
    proxyProtocol: false,
  },
  explorer: {
    address: 'https://explorer.ergoplatform.com/en/addresses/{address}',
    transaction: 'https://explorer.ergoplatform.com/en/transactions/{tx}',
    block: 'https://explorer.ergoplatform.com/en/blocks/{block}',
  },
};

/**
 * `count` shares spread evenly over the day before `until`, from `miners` miners with `workersPerMiner`
 * workers each (miner k's workers are rig0…rig9); one INSERT … SELECT generate_series.
 */
export async function seedShares(
  sql: Sql,
  addresses: string[],
  workersPerMiner: number,
  count: number,
  until: number,
  offset = 0,
): Promise<void> {
  await sql.query(
    `INSERT INTO shares (id, pool_id, address, worker, difficulty, expected_hashes, job_id, height,
                         network_difficulty, nonce, hit, created_at)
     SELECT gen_random_uuid(), 'ergo', ($1::text[])[1 + (i % array_length($1::text[], 1))],
            'rig' || ((i / array_length($1::text[], 1)) % $2), 100, 429496729600, 'job', 1925000,
            1000000000000000, lpad(to_hex(i), 16, '0'), 0,
            to_timestamp($4::double precision / 1000 - 86400 + (i - $5) * 86400.0 / $3)
       FROM generate_series($5::bigint, $5::bigint + $3 - 1) AS i`,
    [addresses, workersPerMiner, count, until, offset],
  );
}

/** 200 blocks (all statuses) for the blocks page. */
export async function seedBlocks(sql: Sql, miner: string, until: number): Promise<void> {
  await sql.query(
    `INSERT INTO blocks (pool_id, height, nonce, miner_address, network_difficulty, created_at, status,
                         confirmations, effort)
     SELECT 'ergo', 1925000 - i, lpad(to_hex(i), 16, '0'), $1, 1000000000000000,
            to_timestamp($2::double precision / 1000 - i * 3600),
            (ARRAY['pending', 'confirmed', 'orphaned'])[1 + i % 3], i % 720, 0.5 + (i % 10) / 10.0
       FROM generate_series(1, 200) AS i`,
    [miner, until],
  );
}
