import type { Logger } from 'pino';
import { Gauge, type Registry } from 'prom-client';
import type { Database } from '../db/index.ts';
import type { NodeFigures, PoolFigures, StatsCache } from '../stats/index.ts';
import type { EventBus } from './bus.ts';
import type { ApiContext, PoolDescription } from './context.ts';

/**
 * The single-pool context the API took before it served several pools (issue 14), still accepted while
 * src/cli/observe.ts passes it: it is served as one pool, the default. Transitional: once every caller passes
 * `ApiContext` (`pools: PoolApi[]`), this file and its three uses go (server.ts's ctx union, the notifier's
 * `pool`, the metrics' unlabelled `figures`).
 * @deprecated pass an ApiContext with `pools`.
 */
export interface SinglePoolContext {
  db: Database;
  cache: StatsCache;
  pool: PoolDescription;
  bus: EventBus;
  nodes: (() => NodeFigures[]) | null;
  checkAddress(address: string): string | null;
  logger: Logger;
  now(): number;
  metrics: Registry | null;
}

/** The API's context of several pools, from either shape (a single-pool one is one pool). */
export function apiContextOf(ctx: ApiContext | SinglePoolContext): ApiContext {
  if ('pools' in ctx) return ctx;
  const { db, bus, logger, now, metrics } = ctx;
  return {
    db,
    bus,
    logger,
    now,
    metrics,
    pools: [{ pool: ctx.pool, cache: ctx.cache, nodes: ctx.nodes, checkAddress: ctx.checkAddress }],
  };
}

/**
 * One pool's figures as the metrics were before pools: without a `pool` label.
 * @deprecated pass MetricSources.pools.
 */
export function registerSinglePoolFigures(
  registry: Registry,
  figures: () => PoolFigures | null,
  now: () => number,
): void {
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
  gauge('enigmapool_round_effort', 'Current round effort (1 = one network difficulty)', (p) => p.roundEffort);
  gauge('enigmapool_stats_age_seconds', 'Age of the current figures', (p) => (now() - p.updatedAt) / 1000);
  const byStatus = (name: string, help: string, values: (p: PoolFigures) => Record<string, number>) =>
    new Gauge({
      name,
      help,
      labelNames: ['status'],
      registers: [registry],
      collect() {
        const p = figures();
        if (!p) return;
        for (const [status, v] of Object.entries(values(p))) this.set({ status }, v);
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
