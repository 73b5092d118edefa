import { ergToNano, feesOf, ratioText } from '../accounting/index.ts';
import type { PoolDescription } from '../api/index.ts';
import { type PoolConfig, poolsOf, type ResolvedPool } from '../config/index.ts';
import { type BanPolicy, DEFAULT_BAN_POLICY } from '../stratum/index.ts';
import { coinOf } from './coins.ts';

/** A bound stratum port: where a configured port listens now (its number may have been 0). */
export interface BoundPortOf {
  pool: string;
  port: number;
}

/** What the API says about each configured pool (no secrets), the default pool first. */
export function describePools(
  config: PoolConfig,
  bound: readonly BoundPortOf[],
  defaultPool: string,
): PoolDescription[] {
  const pools = poolsOf(config).map((pool) =>
    describePool(
      config,
      pool,
      bound.filter((b) => b.pool === pool.id),
    ),
  );
  return [...pools.filter((p) => p.id === defaultPool), ...pools.filter((p) => p.id !== defaultPool)];
}

function describePool(
  config: PoolConfig,
  pool: ResolvedPool,
  bound: readonly BoundPortOf[],
): PoolDescription {
  const a = pool.accounting;
  const fees = feesOf(a);
  const limits = config.stratum.limits;
  const units = coinOf(pool).units;
  return {
    id: pool.id,
    name: pool.name,
    network: pool.network,
    coin: { ...units },
    address: null,
    payouts: {
      enabled: a.payouts.enabled,
      scheme: a.scheme,
      pplnsFactor: a.pplnsFactor,
      fees: a.fees.map((f) => ({ address: f.address, percent: f.percent })),
      feePercent: ratioText({ num: fees.total.num * 100n, den: fees.total.den }, 9),
      fee: fees.total,
      minimum: ergToNano(a.payouts.minimum),
      intervalSeconds: a.payouts.intervalSeconds,
      confirmations: a.confirmations ?? coinOf(pool).rewards.maturity,
      txFeePaidBy: a.payouts.txFeePaidBy,
      txFee: 1_000_000n,
    },
    stratum: {
      host: config.pool.host ?? (config.api.host === '0.0.0.0' ? '127.0.0.1' : config.api.host),
      ports: pool.ports.map((p, i) => ({
        port: bound[i]?.port ?? p.port,
        name: p.name ?? null,
        tls: Boolean(p.tls),
        tlsDetect: Boolean(p.tls?.detect),
        difficulty: p.difficulty,
        vardiff: p.vardiff
          ? {
              targetSeconds: p.vardiff.targetSeconds,
              retargetSeconds: p.vardiff.retargetSeconds,
              variancePercent: p.vardiff.variancePercent,
            }
          : null,
      })),
      ban: publicBanPolicy({ ...DEFAULT_BAN_POLICY, ...limits.ban }),
      idleTimeoutSeconds: (limits.idleTimeoutMs ?? 600_000) / 1000,
      pollIntervalMs: config.pollIntervalMs,
      proxyProtocol: config.stratum.proxyAddresses.length > 0,
    },
    explorer: config.explorer,
  };
}

/** What the API shows of the ban policy (not the exempt addresses). */
function publicBanPolicy({ enabled, checkThreshold, invalidPercent, banSeconds }: BanPolicy) {
  return { enabled, checkThreshold, invalidPercent, banSeconds };
}
