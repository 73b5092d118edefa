import { z } from 'zod';
import { accountingConfigSchema } from '../accounting/index.ts';
import { WEBHOOK_EVENT_TYPES } from '../api/index.ts';
import { parseDifficulty } from '../coin/index.ts';
import { addressSet } from '../stratum/index.ts';

/** A share difficulty written as a decimal string or number ("0.01", 1e-3); kept as text, parsed exactly later. */
const difficulty = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const text = String(v);
  try {
    parseDifficulty(text);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
  return text;
});

const port = z.number().int().min(0).max(65535);

const ipOrCidr = z.string().refine(
  (entry) => {
    try {
      addressSet([entry]);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'must be an IP address or a CIDR range (10.0.0.0/8, ::1)' },
);

const vardiff = z
  .object({
    targetSeconds: z.number().positive().default(15),
    retargetSeconds: z.number().positive().default(90),
    variancePercent: z.number().min(0).max(100).default(30),
    maxFactor: z.number().min(1.01).max(1000).default(4),
    floodShares: z.number().int().min(2).default(20),
  })
  .strict();

const stratumPort = z
  .object({
    port,
    host: z.string().default('0.0.0.0'),
    name: z.string().optional(),
    difficulty: z
      .object({
        start: difficulty.default('1'),
        min: difficulty.default('0.0001'),
        max: difficulty.default('1000000'),
      })
      .strict()
      .default({ start: '1', min: '0.0001', max: '1000000' }),
    /** false: static difficulty at `difficulty.start`. */
    vardiff: z.union([vardiff, z.literal(false)]).default(() => vardiff.parse({})),
    tls: z
      .object({ keyFile: z.string(), certFile: z.string(), detect: z.boolean().default(false) })
      .strict()
      .optional(),
  })
  .strict();

const node = z
  .object({
    name: z.string().min(1),
    url: z.url(),
    apiKey: z.string().optional(),
    priority: z.number().int().default(0),
  })
  .strict();

const poolIdText = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'lower-case letters, digits, - and _ (up to 32)');

/**
 * One pool of several in a deployment (`pools:`): its own id, coin and network, stratum ports, payout scheme,
 * fees and payout settings, over the deployment's nodes (shared) or nodes of its own.
 */
const poolEntry = z
  .object({
    id: poolIdText,
    /** For people (the website, the API); default: the deployment's pool.name and the id. */
    name: z.string().min(1).max(64).optional(),
    /** The coin it mines (a folder implementing src/coin's Coin; this build has ergo). */
    coin: z.enum(['ergo']).default('ergo'),
    /** Default: the top-level network. */
    network: z.enum(['mainnet', 'testnet']).optional(),
    /** Nodes of its own (their mining key is its reward address); default: the top-level nodes, shared. */
    nodes: z.array(node).min(1).optional(),
    /** The node that pays its miners; default: the top-level walletNode when the nodes are shared. */
    walletNode: z.string().optional(),
    ports: z.array(stratumPort).min(1),
    accounting: accountingConfigSchema.default(() => accountingConfigSchema.parse({})),
  })
  .strict();

function explorerDefaults() {
  return {
    address: 'https://explorer.ergoplatform.com/en/addresses/{address}',
    transaction: 'https://explorer.ergoplatform.com/en/transactions/{tx}',
    block: 'https://explorer.ergoplatform.com/en/blocks/{block}',
  };
}

const api = z
  .object({
    enabled: z.boolean().default(true),
    port: port.default(8080),
    host: z.string().default('127.0.0.1'),
    /** Proxies whose X-Forwarded-For is believed (rate limits and logs see the real client): addresses or true. */
    trustProxy: z.union([z.boolean(), z.array(z.string())]).default(false),
    /** Requests per client address per minute (429 above); the website needs about 20 a minute. */
    rateLimit: z
      .object({ max: z.number().int().min(1).default(600), allow: z.array(z.string()).default([]) })
      .strict()
      .default({ max: 600, allow: [] }),
    metrics: z
      .object({
        enabled: z.boolean().default(true),
        /** A port of its own for /metrics; omitted: on the API port. */
        port: port.optional(),
        /** Client addresses allowed to read /metrics. */
        allow: z.array(z.string()).default(['127.0.0.1', '::1']),
      })
      .strict()
      .default({ enabled: true, allow: ['127.0.0.1', '::1'] }),
    /** Open websockets at most (each is a file descriptor, shared with the stratum's connections). */
    maxWebsockets: z.number().int().min(1).default(2000),
    /** Bearer token for /api/v1/admin/*; omitted: no admin routes. */
    adminToken: z.string().min(16).optional(),
    /** The website's files (its index.html); default: web/dist of this installation. */
    webDir: z.string().optional(),
  })
  .strict();

const stats = z
  .object({
    intervalSeconds: z.number().int().min(5).max(3600).default(60),
    luckBlocks: z.number().int().min(1).max(1000).default(10),
    retention: z
      .object({
        everySeconds: z.number().int().min(60).default(3600),
        /** Shares are kept this many days (and longer while accounting needs them). */
        shareDays: z.number().positive().default(30),
        /** Per-interval samples are thinned to hourly after this many hours… */
        fineSampleHours: z.number().min(25).default(48),
        /** … and deleted after this many days. */
        sampleDays: z.number().positive().default(90),
        eventDays: z.number().positive().default(7),
      })
      .strict()
      .default({ everySeconds: 3600, shareDays: 30, fineSampleHours: 48, sampleDays: 90, eventDays: 7 }),
  })
  .strict();

const webhook = z
  .object({
    url: z.url(),
    /** Which events; default all of WEBHOOK_EVENTS. */
    events: z.array(z.enum(WEBHOOK_EVENT_TYPES)).min(1).optional(),
    /** json: the event as JSON; discord, slack: {content}/{text}; telegram: sendMessage with chatId. */
    format: z.enum(['json', 'discord', 'slack', 'telegram']).default('json'),
    chatId: z.union([z.string(), z.number()]).transform(String).optional(),
    headers: z.record(z.string(), z.string()).default({}),
  })
  .strict()
  .superRefine((w, ctx) => {
    if (w.format === 'telegram' && w.chatId === undefined)
      ctx.addIssue({ code: 'custom', path: ['chatId'], message: 'a telegram webhook needs chatId' });
  });

export const configSchema = z
  .object({
    network: z.enum(['mainnet', 'testnet']).default('mainnet'),
    dataDir: z.string().default('./data'),
    /** Storage: a PostgreSQL server when `url` is set (postgres://…), else the embedded PGlite in dataDir/db. */
    database: z
      .object({
        url: z
          .string()
          .regex(/^(postgres(ql)?|memory):\/\//i, 'must be a postgres://user:password@host:port/database URL')
          .optional(),
      })
      .strict()
      .default({}),
    log: z
      .object({
        level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'silent']).default('info'),
        /** auto: readable lines on a terminal, JSON lines otherwise. */
        format: z.enum(['auto', 'json', 'pretty']).default('auto'),
      })
      .strict()
      .default({ level: 'info', format: 'auto' }),
    /**
     * What this process runs: all (one process: stratum, accounting, stats, API), or one role of a cluster on
     * one PostgreSQL (and Redis): stratum (miners, journal, shipping), accounting (blocks, credits, payouts,
     * the stats job and notifications; one leads, the others stand by), api (the HTTP API and website).
     */
    role: z.enum(['all', 'stratum', 'accounting', 'api']).default('all'),
    instance: z
      .object({ id: z.number().int().min(0).default(0), bits: z.number().int().min(0).max(8).default(0) })
      .strict()
      .default({ id: 0, bits: 0 }),
    nodes: z.array(node).default([]),
    walletNode: z.string().optional(),
    pollIntervalMs: z.number().int().min(50).default(500),
    devnet: z
      .object({
        enabled: z.boolean().default(false),
        port: port.default(9053),
        difficulty: z
          .union([z.string(), z.number()])
          .transform(String)
          .pipe(z.string().regex(/^\d+$/, 'must be a whole number'))
          .default('200000'),
        blockTimeSeconds: z.number().positive().default(30),
        height: z.number().int().min(1).optional(),
        competitorBlockTimeSeconds: z.number().positive().nullable().default(null),
        rewardDelay: z.number().int().min(1).default(720),
      })
      .strict()
      .default({
        enabled: false,
        port: 9053,
        difficulty: '200000',
        blockTimeSeconds: 30,
        competitorBlockTimeSeconds: null,
        rewardDelay: 720,
      }),
    stratum: z
      .object({
        extranonce1Size: z.number().int().min(1).max(4).default(2),
        ports: z
          .array(stratumPort)
          .min(1)
          .default([stratumPort.parse({ port: 3052 })]),
        proxyAddresses: z.array(z.string()).default([]),
        limits: z
          .object({
            maxLineBytes: z.number().int().min(256).optional(),
            maxPendingRequests: z.number().int().min(1).optional(),
            /** Overload: the delay (ms) a share may meet before the excess is answered busy (default 20). */
            overloadTargetMs: z.number().positive().optional(),
            /** Default 16000: below a 20000 open-file limit with room for the journal, database and HTTP. */
            maxConnections: z.number().int().min(1).optional(),
            maxConnectionsPerAddress: z.number().int().min(1).optional(),
            messagesPerSecond: z.number().positive().optional(),
            messageBurst: z.number().positive().optional(),
            silenceTimeoutMs: z.number().int().min(100).optional(),
            loginTimeoutMs: z.number().int().min(100).optional(),
            idleTimeoutMs: z.number().int().min(1000).optional(),
            maxWorkersPerConnection: z.number().int().min(1).optional(),
            ban: z
              .object({
                enabled: z.boolean().optional(),
                checkThreshold: z.number().int().min(1).optional(),
                invalidPercent: z.number().min(0).max(100).optional(),
                banSeconds: z.number().min(0).optional(),
                /** Never banned; default loopback (127.0.0.0/8, ::1). */
                exempt: z.array(ipOrCidr).optional(),
                forgetSeconds: z.number().min(1).optional(),
                maxAddresses: z.number().int().min(1).optional(),
              })
              .strict()
              .optional(),
          })
          .strict()
          .default({}),
      })
      .strict()
      .default(() => ({
        extranonce1Size: 2,
        ports: [stratumPort.parse({ port: 3052 })],
        proxyAddresses: [],
        limits: {},
      })),
    demoMiner: z
      .object({
        enabled: z.boolean().default(false),
        threads: z.number().int().min(1).default(1),
        address: z.string().optional(),
      })
      .strict()
      .default({ enabled: false, threads: 1 }),
    /** Payout scheme, fees, block maturity and payouts (see src/accounting/README.md). */
    accounting: accountingConfigSchema.default(() => accountingConfigSchema.parse({})),
    /**
     * Several pools in one deployment (e.g. PPLNS and SOLO side by side): each its own id, coin, ports,
     * scheme, fees and payouts. Omitted: one pool, `pool.id`, from the top-level network, nodes, stratum
     * ports and accounting.
     */
    pools: z.array(poolEntry).min(1).optional(),
    /** What the website and the API say about the pool (with `pools:`, about the deployment). */
    pool: z
      .object({
        id: poolIdText.default('ergo'),
        name: z.string().min(1).max(64).default('EnigmaPool'),
        /** The host name miners connect to (stratum URLs on the connect page); default: the API host. */
        host: z.string().min(1).optional(),
      })
      .strict()
      .default({ id: 'ergo', name: 'EnigmaPool' }),
    /** Block explorer links: {address}, {tx} and {block} are replaced. */
    explorer: z
      .object({
        address: z.string().default('https://explorer.ergoplatform.com/en/addresses/{address}'),
        transaction: z.string().default('https://explorer.ergoplatform.com/en/transactions/{tx}'),
        block: z.string().default('https://explorer.ergoplatform.com/en/blocks/{block}'),
      })
      .strict()
      .default(() => explorerDefaults()),
    api: api.default(() => api.parse({})),
    /** The stats job (current figures, samples, share retention). */
    stats: stats.default(() => stats.parse({})),
    /** Shared cache and event bus across instances; optional (one process needs none). */
    redis: z
      .object({
        url: z
          .string()
          .regex(/^rediss?:\/\//, 'must be a redis://host:port URL')
          .optional(),
        prefix: z.string().default('enigmapool:'),
      })
      .strict()
      .default({ prefix: 'enigmapool:' }),
    notifications: z
      .object({ webhooks: z.array(webhook).default([]) })
      .strict()
      .default({ webhooks: [] }),
  })
  .strict()
  .superRefine((c, ctx) => {
    checkPools(c, ctx);
    // Each stratum instance hands out extranonce1 values with its id in the top bits: two instances with
    // one id could give two miners the same nonce space, and their identical shares would both be credited.
    if (c.instance.id >= 2 ** c.instance.bits)
      ctx.addIssue({
        code: 'custom',
        path: ['instance', 'bits'],
        message: `instance.id ${c.instance.id} needs instance.bits ≥ ${Math.ceil(Math.log2(c.instance.id + 1))} (the top bits of extranonce1 that tell instances apart)`,
      });
    if (c.instance.bits >= c.stratum.extranonce1Size * 8)
      ctx.addIssue({
        code: 'custom',
        path: ['instance', 'bits'],
        message: `must be less than ${c.stratum.extranonce1Size * 8} (stratum.extranonce1Size × 8)`,
      });
  });

export type PoolConfig = z.infer<typeof configSchema>;
export type PoolEntryConfig = z.infer<typeof poolEntry>;

/** Ids unique, no port twice, and a pool's walletNode among the nodes it uses. */
function checkPools(
  c: {
    pools?: PoolEntryConfig[] | undefined;
    nodes: { name: string }[];
    walletNode?: string | undefined;
  },
  ctx: z.RefinementCtx,
): void {
  if (!c.pools) return;
  const ids = new Set<string>();
  const ports = new Map<string, string>();
  for (const [i, pool] of c.pools.entries()) {
    if (ids.has(pool.id))
      ctx.addIssue({
        code: 'custom',
        path: ['pools', i, 'id'],
        message: `${pool.id} is the id of another pool`,
      });
    ids.add(pool.id);
    for (const [j, port] of pool.ports.entries()) {
      const key = `${port.host}:${port.port}`;
      const other = ports.get(key);
      if (other && port.port !== 0)
        ctx.addIssue({
          code: 'custom',
          path: ['pools', i, 'ports', j, 'port'],
          message: `${key} is a port of pool ${other} too`,
        });
      ports.set(key, pool.id);
    }
    const nodes = pool.nodes ?? c.nodes;
    if (pool.walletNode && !nodes.some((n) => n.name === pool.walletNode))
      ctx.addIssue({
        code: 'custom',
        path: ['pools', i, 'walletNode'],
        message: `${pool.walletNode} is not one of the pool's nodes (${nodes.map((n) => n.name).join(', ') || 'none'})`,
      });
  }
}
export type StratumPortConfig = z.infer<typeof stratumPort>;
export type WebhookConfig = z.infer<typeof webhook>;
