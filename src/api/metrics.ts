import { Counter, collectDefaultMetrics, Gauge, Histogram, type Registry } from 'prom-client';
import type { PoolFigures } from '../stats/index.ts';

/**
 * The pool's Prometheus metrics (names `enigmapool_…`, no per-miner labels; a `pool` label on what is per
 * pool). Gauges read their sources when scraped; counters follow the stratum's events. The share pipeline
 * registers its own (`enigmapool_share_…`, src/shares/metrics.ts) on the same registry.
 */

export interface StratumSource {
  sessionCount(): number;
  /** Each share's outcome, and the id of the pool whose port it came in on (with `pools`, always given). */
  onShare(listener: (outcome: string, pool: string) => void): void;
  onBlock(listener: (accepted: boolean, pool: string) => void): void;
}

/** One pool's current figures (null before its stats job's first run). */
export interface PoolFiguresSource {
  pool: string;
  figures: PoolFigures | null;
}

export interface NodeSource {
  name: string;
  status: string;
  fullHeight: number | null;
  latencyMs: number | null;
  current: boolean;
}

export interface MetricSources {
  stratum?: StratumSource;
  /** Share checks waiting for a verifier thread. */
  verifierQueue?: () => number;
  nodes?: () => NodeSource[];
  /** Each pool's current figures, from its stats job. */
  pools?: () => readonly PoolFiguresSource[];
  /** Since when the database has been unreachable for the share shipper (ms), or null. */
  databaseOutageSince?: () => number | null;
  now?: () => number;
}

export interface PoolMetrics {
  /** Times one share check (seconds): wrap the verifier's verify() with it. */
  observeShareCheck(seconds: number): void;
}

export function registerPoolMetrics(registry: Registry, s: MetricSources): PoolMetrics {
  collectDefaultMetrics({ register: registry, prefix: 'enigmapool_' });
  const now = s.now ?? Date.now;
  if (s.stratum) {
    const stratum = s.stratum;
    new Gauge({
      name: 'enigmapool_stratum_connections',
      help: 'Miner connections open on this instance',
      registers: [registry],
      collect() {
        this.set(stratum.sessionCount());
      },
    });
    const shares = new Counter({
      name: 'enigmapool_shares_total',
      help: 'Submitted shares by pool and outcome (accepted, block, stale, duplicate, low-difficulty, invalid, unauthorized, busy)',
      labelNames: ['pool', 'outcome'],
      registers: [registry],
    });
    const blocks = new Counter({
      name: 'enigmapool_blocks_submitted_total',
      help: 'Block candidates found by this instance, by pool and whether a node accepted them',
      labelNames: ['pool', 'result'],
      registers: [registry],
    });
    stratum.onShare((outcome, pool) => shares.inc({ pool, outcome }));
    stratum.onBlock((accepted, pool) => {
      const result = accepted ? 'accepted' : 'rejected';
      blocks.inc({ pool, result });
    });
  }
  const check = new Histogram({
    name: 'enigmapool_share_check_seconds',
    help: 'Autolykos share check latency (queue wait included)',
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });
  if (s.verifierQueue) {
    const queue = s.verifierQueue;
    new Gauge({
      name: 'enigmapool_verifier_queue',
      help: 'Share checks waiting for a verifier thread',
      registers: [registry],
      collect() {
        this.set(queue());
      },
    });
  }
  if (s.nodes) {
    const nodes = s.nodes;
    const each = (name: string, help: string, value: (n: NodeSource) => number | null) =>
      new Gauge({
        name,
        help,
        labelNames: ['node'],
        registers: [registry],
        collect() {
          this.reset();
          for (const n of nodes()) {
            const v = value(n);
            if (v !== null) this.set({ node: n.name }, v);
          }
        },
      });
    each('enigmapool_node_healthy', '1 when the node is synced and usable', (n) =>
      n.status === 'healthy' ? 1 : 0,
    );
    each('enigmapool_node_height', 'The node’s full height', (n) => n.fullHeight);
    each('enigmapool_node_latency_seconds', 'Latency of the node’s last health check', (n) =>
      n.latencyMs === null ? null : n.latencyMs / 1000,
    );
    each('enigmapool_node_current', '1 for the node work is taken from', (n) => (n.current ? 1 : 0));
  }
  if (s.pools) {
    const pools = s.pools;
    const gauge = (name: string, help: string, value: (p: PoolFigures) => number | null) =>
      new Gauge({
        name,
        help,
        labelNames: ['pool'],
        registers: [registry],
        collect() {
          this.reset();
          for (const { pool, figures } of pools()) {
            const v = figures ? value(figures) : null;
            if (v !== null) this.set({ pool }, v);
          }
        },
      });
    gauge(
      'enigmapool_pool_hashrate',
      'Pool hashrate (H/s, the 10-minute window rule)',
      (p) => p.hashrate.current,
    );
    gauge(
      'enigmapool_network_hashrate',
      'Network hashrate from recent headers (H/s), as the pool’s nodes see it',
      (p) => p.network.hashrate,
    );
    gauge('enigmapool_network_height', 'Chain height, as the pool’s nodes see it', (p) => p.network.height);
    gauge('enigmapool_pool_miners', 'Miners online', (p) => p.miners);
    gauge('enigmapool_pool_workers', 'Workers online', (p) => p.workers);
    gauge(
      'enigmapool_round_effort',
      'Current round effort (1 = one network difficulty)',
      (p) => p.roundEffort,
    );
    gauge('enigmapool_stats_age_seconds', 'Age of the current figures', (p) => (now() - p.updatedAt) / 1000);
    const byStatus = (name: string, help: string, values: (p: PoolFigures) => Record<string, number>) =>
      new Gauge({
        name,
        help,
        labelNames: ['pool', 'status'],
        registers: [registry],
        collect() {
          this.reset();
          for (const { pool, figures } of pools()) {
            if (!figures) continue;
            for (const [status, v] of Object.entries(values(figures))) this.set({ pool, status }, v);
          }
        },
      });
    byStatus('enigmapool_blocks', 'Blocks the pool found, by status', (p) => ({
      pending: p.blocks.pending,
      confirmed: p.blocks.confirmed,
      orphaned: p.blocks.orphaned,
    }));
    byStatus('enigmapool_payments', 'Payment transactions, by status', (p) => ({
      sent: p.payments.count,
      failed: p.payments.failed,
    }));
  }
  if (s.databaseOutageSince) {
    const since = s.databaseOutageSince;
    new Gauge({
      name: 'enigmapool_share_db_outage_seconds',
      help: 'How long the share shipper has not reached the database (0 when it does)',
      registers: [registry],
      collect() {
        const t = since();
        this.set(t === null ? 0 : (now() - t) / 1000);
      },
    });
  }
  return { observeShareCheck: (seconds) => check.observe(seconds) };
}
