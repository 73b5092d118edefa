import type { MinerFigures, NodeFigures, PoolFigures } from '../stats/index.ts';
import type { PoolDescription } from './context.ts';
import { erg, iso, link, numeric } from './format.ts';
import type { BlockRow, MinerAccount, PaymentRow } from './queries.ts';
import type { PoolBalance } from './queries-pools.ts';

/** Database rows and stats figures → the /api/v1 JSON shapes (src/api/README.md). */

export function blockJson(b: BlockRow, pool: PoolDescription) {
  const progress =
    b.status === 'confirmed' ? 1 : b.status === 'orphaned' ? 0 : b.confirmations / b.required_confirmations;
  return {
    id: Number(b.id),
    height: b.height,
    headerId: b.header_id,
    status: b.status,
    confirmations: b.confirmations,
    requiredConfirmations: b.required_confirmations,
    confirmationProgress: Math.min(1, progress),
    effort: numeric(b.effort),
    reward: b.reward === null ? null : erg(b.reward),
    networkDifficulty: String(b.network_difficulty),
    miner: b.miner_address,
    worker: b.worker,
    /** The node whose candidate was solved, and the nodes that accepted the block (null: not recorded). */
    sourceNode: b.source_node,
    acceptedBy: b.accepted_by,
    createdAt: iso(b.created_at)!,
    confirmedAt: iso(b.confirmed_at),
    orphanedAt: iso(b.orphaned_at),
    links: {
      block: link(pool.explorer.block, { block: b.header_id }),
      miner: link(pool.explorer.address, { address: b.miner_address }),
    },
  };
}

export function paymentJson(p: PaymentRow, pool: PoolDescription) {
  return {
    id: Number(p.id),
    txId: p.tx_id,
    status: p.status,
    amount: erg(p.amount),
    fee: p.fee === null ? null : erg(p.fee),
    recipients: Number(p.recipients),
    confirmations: p.confirmations,
    createdAt: iso(p.created_at)!,
    sentAt: iso(p.sent_at),
    confirmedAt: iso(p.confirmed_at),
    links: { transaction: link(pool.explorer.transaction, { tx: p.tx_id }) },
  };
}

export function minerSummaryJson(m: MinerFigures) {
  return {
    address: m.address,
    hashrate: m.hashrate,
    sharesPerSecond: m.sharesPerSecond,
    workers: m.workersOnline,
    lastShareAt: iso(m.lastShareAt),
  };
}

export function minerJson(m: MinerFigures, account: MinerAccount, known: boolean, pool: PoolDescription) {
  return {
    ...minerSummaryJson(m),
    known,
    workerList: m.workers.map((w) => ({
      name: w.name,
      hashrate: w.hashrate,
      sharesPerSecond: w.sharesPerSecond,
      shares: w.shares,
      lastShareAt: iso(w.lastShareAt),
      online: w.online,
    })),
    balances: {
      immature: erg(account.immature),
      payable: erg(account.payable),
      paid: erg(account.paid),
      inFlight: erg(account.inFlight),
    },
    payoutThreshold: erg(
      account.threshold !== null && account.threshold > pool.payouts.minimum
        ? account.threshold
        : pool.payouts.minimum,
    ),
    payoutThresholdSource:
      account.threshold !== null && account.threshold > pool.payouts.minimum
        ? ('miner' as const)
        : ('pool' as const),
    estimate: { ergPerDay: erg(m.estimatePerDay), windowShare: m.windowShare },
    links: { address: link(pool.explorer.address, { address: m.address }) },
  };
}

/** A miner's row in one pool (GET /api/v1/miners/:address/pools): zeros where it never mined. */
export function minerPoolJson(
  p: { pool: PoolDescription },
  isDefault: boolean,
  figures: MinerFigures | null,
  balance: PoolBalance | undefined,
  known: boolean,
) {
  return {
    pool: p.pool.id,
    name: p.pool.name,
    scheme: schemeName(p.pool),
    default: isDefault,
    known,
    balances: {
      immature: erg(balance?.immature ?? 0n),
      payable: erg(balance?.payable ?? 0n),
      paid: erg(balance?.paid ?? 0n),
      inFlight: erg(balance?.inFlight ?? 0n),
    },
    hashrate: figures?.hashrate ?? { current: 0, avg1h: 0, avg24h: 0 },
    workers: figures?.workersOnline ?? 0,
    lastShareAt: iso(figures?.lastShareAt ?? null),
  };
}

export function nodesJson(nodes: NodeFigures[]) {
  return nodes.map((n) => ({ ...n, problems: [...n.problems] }));
}

const SCHEME_NAMES = { pps: 'PPS', pplns: 'PPLNS', prop: 'PROP', solo: 'SOLO' } as const;

export function schemeName(pool: PoolDescription) {
  return SCHEME_NAMES[pool.payouts.scheme];
}

export function stratumUrl(host: string, port: { port: number; tls: boolean }): string {
  return `stratum+${port.tls ? 'ssl' : 'tcp'}://${host}:${port.port}`;
}

export function poolJson(pool: PoolDescription, nodes: NodeFigures[], isDefault: boolean) {
  return {
    id: pool.id,
    name: pool.name,
    default: isDefault,
    network: pool.network,
    address: pool.address,
    coin: { ...pool.coin },
    payouts: {
      enabled: pool.payouts.enabled,
      scheme: schemeName(pool),
      pplnsFactor: pool.payouts.pplnsFactor,
      fees: pool.payouts.fees,
      feePercent: pool.payouts.feePercent,
      minimum: erg(pool.payouts.minimum),
      intervalSeconds: pool.payouts.intervalSeconds,
      confirmations: pool.payouts.confirmations,
      txFeePaidBy: pool.payouts.txFeePaidBy,
      txFee: erg(pool.payouts.txFee),
      thresholdHint: `add t=<ERG> to the stratum password (at least ${erg(pool.payouts.minimum)}), e.g. "x,t=5"`,
    },
    stratum: {
      host: pool.stratum.host,
      ports: pool.stratum.ports.map((p) => ({ ...p, url: stratumUrl(pool.stratum.host, p) })),
    },
    nodes: nodesJson(nodes),
    explorer: pool.explorer,
  };
}

export function networkJson(p: PoolFigures | null) {
  const n = p?.network;
  return {
    height: n?.height ?? null,
    difficulty: n?.difficulty === null || n?.difficulty === undefined ? null : n.difficulty.toString(),
    hashrate: n?.hashrate ?? null,
    meanBlockSeconds: n?.meanBlockSeconds ?? null,
    lastBlockAt: iso(n?.lastBlockAt ?? null),
  };
}

const ZERO_RATE = { current: 0, avg1h: 0, avg24h: 0 };

/** The current figures; before the stats job's first run, zeros with updatedAt null. */
export function statsJson(p: PoolFigures | null, intervalSeconds: number) {
  return {
    updatedAt: iso(p?.updatedAt ?? null),
    intervalSeconds: p?.intervalSeconds ?? intervalSeconds,
    pool: {
      hashrate: p?.hashrate ?? ZERO_RATE,
      miners: p?.miners ?? 0,
      workers: p?.workers ?? 0,
      connections: p?.connections ?? 0,
      sharesPerSecond: p?.sharesPerSecond ?? 0,
      roundEffort: p?.roundEffort ?? null,
      roundStartedAt: iso(p?.roundStartedAt ?? null),
      shares24h: p?.shares ?? { valid: 0, stale: 0, invalid: 0 },
    },
    network: networkJson(p),
    blocks: {
      total: p?.blocks.total ?? 0,
      last24h: p?.blocks.last24h ?? 0,
      pending: p?.blocks.pending ?? 0,
      confirmed: p?.blocks.confirmed ?? 0,
      orphaned: p?.blocks.orphaned ?? 0,
      last: p?.blocks.last ? { ...p.blocks.last, createdAt: iso(p.blocks.last.createdAt)! } : null,
      luck: p?.blocks.luck ?? { blocks: 0, averageEffort: null },
    },
    payments: {
      count: p?.payments.count ?? 0,
      totalPaid: erg(p?.payments.totalPaid ?? 0n),
      lastAt: iso(p?.payments.lastAt ?? null),
    },
  };
}
