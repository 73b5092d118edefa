import { z } from 'zod';

/**
 * The /api/v1 shapes as zod schemas: they validate the parameters, serialize the answers, and generate
 * the OpenAPI document, so the documentation cannot drift from what is served.
 */

export const Erg = z.string().describe('exact ERG, decimal text (up to 9 decimals)');
export const Time = z.string().describe('ISO-8601 UTC time');
const NullableTime = Time.nullable();

export const HashrateSchema = z
  .object({ current: z.number(), avg1h: z.number(), avg24h: z.number() })
  .describe('H/s: the current window (10 min, or since the worker started) and the 1 h and 24 h averages');

export const ErrorSchema = z
  .object({ error: z.string(), message: z.string(), field: z.string().optional() })
  .meta({ id: 'Error' });

export const pageQuery = z.object({
  page: z.coerce.number().int().min(0).max(1_000_000).default(0),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
});

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    page: z.number(),
    pageSize: z.number(),
    total: z.number(),
    pageCount: z.number(),
  });
}

export const BLOCK_STATUSES = ['pending', 'confirmed', 'orphaned'] as const;

/** Block statuses as `x=a,b` or `x=a&x=b`; an unknown one is a 400 (`what` names it in the message). */
export function blockStatuses(what: string) {
  return z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform((v, ctx) => {
      const names = (v === undefined ? [] : Array.isArray(v) ? v : [v])
        .flatMap((s) => s.split(','))
        .map((s) => s.trim().toLowerCase())
        .filter((s) => s.length > 0);
      for (const n of names)
        if (!(BLOCK_STATUSES as readonly string[]).includes(n)) {
          ctx.addIssue({
            code: 'custom',
            message: `unknown block ${what} "${n}" (pending, confirmed, orphaned)`,
          });
          return z.NEVER;
        }
      return [...new Set(names)] as (typeof BLOCK_STATUSES)[number][];
    });
}

export const statusFilter = blockStatuses('status');

export const BlockSchema = z
  .object({
    id: z.number(),
    height: z.number(),
    headerId: z.string().nullable(),
    status: z.enum(BLOCK_STATUSES),
    confirmations: z.number(),
    requiredConfirmations: z.number(),
    confirmationProgress: z.number().describe('0…1'),
    effort: z.number().nullable().describe('Σ share weights of its round ÷ 1 network difficulty (1 = 100 %)'),
    reward: Erg.nullable(),
    networkDifficulty: z.string(),
    miner: z.string(),
    worker: z.string(),
    sourceNode: z.string().nullable().describe('The node whose candidate was solved'),
    acceptedBy: z
      .array(z.string())
      .nullable()
      .describe('The nodes that accepted the block, on the first submission or a resubmission'),
    createdAt: Time,
    confirmedAt: NullableTime,
    orphanedAt: NullableTime,
    links: z.object({ block: z.string().nullable(), miner: z.string().nullable() }),
  })
  .meta({ id: 'Block' });

export const PaymentSchema = z
  .object({
    id: z.number(),
    txId: z.string().nullable(),
    status: z.enum(['planned', 'in_flight', 'sent', 'confirmed', 'failed']),
    amount: Erg,
    fee: Erg.nullable(),
    recipients: z.number(),
    confirmations: z.number(),
    createdAt: Time,
    sentAt: NullableTime,
    confirmedAt: NullableTime,
    links: z.object({ transaction: z.string().nullable() }),
    outputs: z.array(z.object({ address: z.string(), amount: Erg })).optional(),
  })
  .meta({ id: 'Payment' });

export const MinerSummarySchema = z
  .object({
    address: z.string(),
    hashrate: HashrateSchema,
    sharesPerSecond: z.number(),
    workers: z.number().describe('workers online'),
    lastShareAt: NullableTime,
  })
  .meta({ id: 'MinerSummary' });

export const WorkerSchema = z.object({
  name: z.string(),
  hashrate: HashrateSchema,
  sharesPerSecond: z.number(),
  shares: z.object({ valid: z.number(), stale: z.number(), invalid: z.number() }).describe('the last 24 h'),
  lastShareAt: NullableTime,
  online: z.boolean(),
});

export const MinerSchema = MinerSummarySchema.extend({
  known: z.boolean().describe('false: a valid address the pool has never seen (all zeros)'),
  workerList: z.array(WorkerSchema),
  balances: z.object({ immature: Erg, payable: Erg, paid: Erg, inFlight: Erg }),
  payoutThreshold: Erg,
  payoutThresholdSource: z.enum(['pool', 'miner']),
  estimate: z.object({
    ergPerDay: Erg,
    windowShare: z.number().nullable().describe('share of the current PPLNS window or PROP round'),
  }),
  links: z.object({ address: z.string().nullable() }),
}).meta({ id: 'Miner' });

export const NodeSchema = z.object({
  name: z.string(),
  status: z.string(),
  problems: z.array(z.string()),
  height: z.number().nullable(),
  peers: z.number().nullable(),
  latencyMs: z.number().nullable(),
  current: z.boolean(),
  wallet: z.boolean(),
});

export const PoolSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    default: z.boolean().describe('the pool the unprefixed routes (/api/v1/stats …) serve'),
    network: z.enum(['mainnet', 'testnet']),
    address: z.string().nullable(),
    coin: z.object({
      symbol: z.string(),
      name: z.string(),
      decimals: z.number(),
      algorithm: z.string(),
      family: z.string(),
    }),
    payouts: z.object({
      enabled: z.boolean(),
      scheme: z.enum(['PPLNS', 'PPS', 'PROP', 'SOLO']),
      pplnsFactor: z.string(),
      fees: z.array(z.object({ address: z.string(), percent: z.string() })),
      feePercent: z.string(),
      minimum: Erg,
      intervalSeconds: z.number(),
      confirmations: z.number(),
      txFeePaidBy: z.enum(['pool', 'miners']),
      txFee: Erg,
      thresholdHint: z.string(),
    }),
    stratum: z.object({
      host: z.string(),
      ports: z.array(
        z.object({
          port: z.number(),
          name: z.string().nullable(),
          url: z.string(),
          tls: z.boolean(),
          tlsDetect: z.boolean(),
          difficulty: z.object({ start: z.string(), min: z.string(), max: z.string() }),
          vardiff: z
            .object({ targetSeconds: z.number(), retargetSeconds: z.number(), variancePercent: z.number() })
            .nullable(),
        }),
      ),
    }),
    nodes: z.array(NodeSchema),
    explorer: z.object({ address: z.string(), transaction: z.string(), block: z.string() }),
  })
  .meta({ id: 'Pool' });

export const NetworkSchema = z.object({
  height: z.number().nullable(),
  difficulty: z.string().nullable(),
  hashrate: z.number().nullable().describe('Σ difficulty of recent blocks ÷ their time span, H/s'),
  meanBlockSeconds: z.number().nullable(),
  lastBlockAt: NullableTime,
});

export const StatsSchema = z
  .object({
    updatedAt: NullableTime,
    intervalSeconds: z.number(),
    pool: z.object({
      hashrate: HashrateSchema,
      miners: z.number(),
      workers: z.number(),
      connections: z.number(),
      sharesPerSecond: z.number(),
      roundEffort: z.number().nullable(),
      roundStartedAt: NullableTime,
      shares24h: z.object({ valid: z.number(), stale: z.number(), invalid: z.number() }),
    }),
    network: NetworkSchema,
    blocks: z.object({
      total: z.number(),
      last24h: z.number(),
      pending: z.number(),
      confirmed: z.number(),
      orphaned: z.number(),
      last: z
        .object({ height: z.number(), createdAt: Time, status: z.string(), miner: z.string() })
        .nullable(),
      luck: z.object({ blocks: z.number(), averageEffort: z.number().nullable() }),
    }),
    payments: z.object({ count: z.number(), totalPaid: Erg, lastAt: NullableTime }),
  })
  .meta({ id: 'Stats' });

export const rangeQuery = (ranges: readonly [string, ...string[]], fallback: string) =>
  z.object({ range: z.enum(ranges).default(fallback as never) });

export const HistorySchema = z.object({
  range: z.string(),
  bucketSeconds: z.number(),
  points: z.array(
    z.object({
      at: Time,
      hashrate: z.number(),
      miners: z.number(),
      workers: z.number(),
      sharesPerSecond: z.number(),
      networkHashrate: z.number().nullable(),
      networkDifficulty: z.string().nullable(),
    }),
  ),
});

export const MinerHistorySchema = z.object({
  range: z.string(),
  bucketSeconds: z.number(),
  points: z.array(z.object({ at: Time, hashrate: z.number(), workers: z.record(z.string(), z.number()) })),
});

export const LedgerSchema = z.object({
  id: z.number(),
  kind: z.string(),
  amount: Erg.describe('signed: credits > 0, payouts < 0'),
  reason: z.string(),
  blockHeight: z.number().nullable(),
  txId: z.string().nullable(),
  createdAt: Time,
});

export const MinerPaymentSchema = z.object({
  txId: z.string().nullable(),
  status: z.string(),
  amount: Erg,
  createdAt: Time,
  sentAt: NullableTime,
  confirmedAt: NullableTime,
  links: z.object({ transaction: z.string().nullable() }),
});

const StatsAgeSchema = z.object({ updatedAt: NullableTime, ageSeconds: z.number().nullable() });

export const HealthSchema = z.object({
  status: z.enum(['ok', 'degraded']).describe('degraded: the database is down or a pool’s figures are stale'),
  database: z.enum(['ok', 'down']),
  stats: StatsAgeSchema.describe('the default pool’s'),
  nodes: z.array(NodeSchema).describe('the default pool’s'),
  pools: z.array(
    z.object({
      id: z.string(),
      status: z.enum(['ok', 'degraded']),
      stats: StatsAgeSchema,
      nodes: z.array(NodeSchema),
    }),
  ),
});

export const MinerPoolsSchema = z
  .object({
    address: z.string(),
    items: z.array(
      z.object({
        pool: z.string().describe('the pool id'),
        name: z.string(),
        scheme: z.enum(['PPLNS', 'PPS', 'PROP', 'SOLO']),
        default: z.boolean(),
        known: z.boolean().describe('false: the address never mined nor was credited there (all zeros)'),
        balances: z.object({ immature: Erg, payable: Erg, paid: Erg, inFlight: Erg }),
        hashrate: HashrateSchema,
        workers: z.number().describe('workers online'),
        lastShareAt: NullableTime,
      }),
    ),
  })
  .meta({ id: 'MinerPools' });
