import { Counter, collectDefaultMetrics, Gauge, Histogram, type Registry } from 'prom-client';
import type { PoolFigures } from '../stats/index.ts';

/**
 * The pool's Prometheus metrics (names `enigmapool_…`, no per-miner labels). Gauges read their sources
 * when scraped; counters follow the stratum's events. The share pipeline registers its own
 * (`enigmapool_share_…`, src/shares/metrics.ts) on the same registry.
 */

export interface StratumSource {
  sessionCount(): number;
  onShare(listener: (outcome: string) => void): void;
  onBlock(listener: (accepted: boolean) => void): void;
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
  /** The stats job's current figures. */
  figures?: () => PoolFigures | null;
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
      help: 'Submitted shares by outcome (accepted, block, stale, duplicate, low-difficulty, invalid, unauthorized, busy)',
      labelNames: ['outcome'],
      registers: [registry],
    });
    const blocks = new Counter({
      name: 'enigmapool_blocks_submitted_total',
      help: 'Block candidates found by this instance, by whether a node accepted them',
      labelNames: ['result'],
      registers: [registry],
    });
    stratum.onShare((outcome) => shares.inc({ outcome }));
    stratum.onBlock((accepted) => blocks.inc({ result: accepted ? 'accepted' : 'rejected' }));
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
  if (s.figures) {
    const figures = s.figures;
    const gauge = (name: string, help: string, value: (p: PoolFigures) => number | null) =>
      new Gauge({
        name,
        help,
        registers: [registry],
        collect() {
          const p = figures();
          const v = p ? value(p) : null;
          if (v !== null) this.set(v);
        },
      });
    gauge(
      'enigmapool_pool_hashrate',
      'Pool hashrate (H/s, the 10-minute window rule)',
      (p) => p.hashrate.current,
    );
    gauge(
      'enigmapool_network_hashrate',
      'Network hashrate from recent headers (H/s)',
      (p) => p.network.hashrate,
    );
    gauge('enigmapool_network_height', 'Chain height', (p) => p.network.height);
    gauge('enigmapool_pool_miners', 'Miners online', (p) => p.miners);
    gauge('enigmapool_pool_workers', 'Workers online', (p) => p.workers);
    gauge(
      'enigmapool_round_effort',
      'Current round effort (1 = one network difficulty)',
      (p) => p.roundEffort,
    );
    gauge('enigmapool_stats_age_seconds', 'Age of the current figures', (p) => (now() - p.updatedAt) / 1000);
    new Gauge({
      name: 'enigmapool_blocks',
      help: 'Blocks the pool found, by status',
      labelNames: ['status'],
      registers: [registry],
      collect() {
        const p = figures();
        if (!p) return;
        this.set({ status: 'pending' }, p.blocks.pending);
        this.set({ status: 'confirmed' }, p.blocks.confirmed);
        this.set({ status: 'orphaned' }, p.blocks.orphaned);
      },
    });
    new Gauge({
      name: 'enigmapool_payments',
      help: 'Payment transactions, by status',
      labelNames: ['status'],
      registers: [registry],
      collect() {
        const p = figures();
        if (!p) return;
        this.set({ status: 'sent' }, p.payments.count);
        this.set({ status: 'failed' }, p.payments.failed);
      },
    });
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
