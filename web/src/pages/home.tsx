// Home: the pool at a glance — hashrate with its 24 h chart, who is mining, the network, the round,
// the blocks, and the payout terms; with several pools, every pool first, then the picked one's.
import { Badge, StatCard } from '../components/bits.tsx';
import { Hashrate, MinerLink, TimeAgo } from '../components/format.tsx';
import { HistoryCard } from '../components/history.tsx';
import { Async, ErrorBox, Loading } from '../components/state.tsx';
import { formatCount, formatDifficulty, formatDuration, formatPercent } from '../lib/format.ts';
import { useApi } from '../lib/hooks.ts';
import { usePools } from '../lib/pools.ts';
import { Link } from '../lib/router.tsx';
import type { Block, HistoryPoint, Page, Pool, Stats } from '../lib/types.ts';
import { BlocksTable } from './blocks.tsx';
import { PoolsTable } from './pools.tsx';
import { PayoutTerms } from './terms.tsx';

export function HomePage() {
  // Refreshed by the live feed's stats events (which carry the figures) or by polling.
  const stats = useApi<Stats>('/stats');
  const pool = useApi<Pool>('/pool', ['pool']);
  const recent = useApi<Page<Block>>('/blocks?pageSize=5', ['blocks']);
  const choice = usePools();
  const several = choice.pools !== undefined && choice.pools.length > 1;

  return (
    <>
      <h1>{several && choice.current ? choice.current.name : 'Pool'}</h1>
      {several && (
        <section className="card" aria-labelledby="pools-title">
          <h2 id="pools-title">Pools</h2>
          <PoolsTable pools={choice.pools!} current={choice.current} />
        </section>
      )}
      <Async resource={stats} loadingLabel="Loading the pool’s figures…">
        {(s) => <Figures stats={s} recent={recent.data} />}
      </Async>

      <HistoryCard<HistoryPoint>
        title="Pool hashrate"
        path="/stats/history"
        testId="pool-chart"
        emptyText="No samples yet: the chart fills in as the stats job records the pool’s hashrate."
        series={(points) => [{ label: 'Pool', values: points.map((p) => p.hashrate) }]}
      />

      <section className="card" aria-labelledby="recent-title">
        <div className="card-head">
          <h2 id="recent-title">Latest blocks</h2>
          <Link to="/blocks">All blocks →</Link>
        </div>
        {recent.data ? (
          <BlocksTable blocks={recent.data.items} compact />
        ) : recent.error ? (
          <ErrorBox error={recent.error} retry={recent.reload} />
        ) : (
          <Loading />
        )}
      </section>

      <section className="card" aria-labelledby="terms-title">
        <h2 id="terms-title">Payouts</h2>
        <Async resource={pool}>
          {(p) => <PayoutTerms pool={p} meanBlockSeconds={stats.data?.network.meanBlockSeconds} />}
        </Async>
      </section>
    </>
  );
}

function Figures({ stats: s, recent }: { stats: Stats; recent: Page<Block> | undefined }) {
  // The blocks list updates the moment a block is found; the stats job's counts catch up on its next run.
  const newest = recent?.items[0];
  const last =
    newest && (!s.blocks.last || newest.height >= s.blocks.last.height)
      ? { height: newest.height, createdAt: newest.createdAt, status: newest.status, miner: newest.miner }
      : s.blocks.last;
  const total = Math.max(s.blocks.total, recent?.total ?? 0);
  return (
    <>
      {s.updatedAt === null && (
        <p className="notice">
          The stats job has not run yet: the first figures appear within {formatDuration(s.intervalSeconds)}.
        </p>
      )}
      <div className="stats" data-testid="pool-figures">
        <StatCard
          label="Pool hashrate"
          hint={
            <>
              1 h <Hashrate value={s.pool.hashrate.avg1h} /> · 24 h{' '}
              <Hashrate value={s.pool.hashrate.avg24h} />
            </>
          }
        >
          <span data-testid="pool-hashrate">
            <Hashrate value={s.pool.hashrate.current} />
          </span>
        </StatCard>
        <StatCard
          label="Miners / workers online"
          hint={`${formatCount(s.pool.connections)} ${s.pool.connections === 1 ? 'connection' : 'connections'}`}
        >
          {formatCount(s.pool.miners)} / {formatCount(s.pool.workers)}
        </StatCard>
        <StatCard label="Network hashrate" hint={`difficulty ${formatDifficulty(s.network.difficulty)}`}>
          <Hashrate value={s.network.hashrate} />
        </StatCard>
        <StatCard
          label="Height"
          hint={
            s.network.meanBlockSeconds
              ? `a block every ${formatDuration(s.network.meanBlockSeconds)}`
              : undefined
          }
        >
          {s.network.height === null ? '—' : formatCount(s.network.height)}
        </StatCard>
        <StatCard
          label="Round effort"
          hint={
            s.pool.roundStartedAt ? (
              <>
                since <TimeAgo iso={s.pool.roundStartedAt} />
              </>
            ) : (
              'no block yet'
            )
          }
        >
          {formatPercent(s.pool.roundEffort)}
        </StatCard>
        <StatCard
          label="Blocks found"
          hint={
            s.blocks.luck.averageEffort !== null
              ? `average effort ${formatPercent(s.blocks.luck.averageEffort)} over ${s.blocks.luck.blocks}`
              : undefined
          }
        >
          <span data-testid="blocks-found">
            {formatCount(s.blocks.last24h)} <span className="unit">in 24 h</span> · {formatCount(total)}{' '}
            <span className="unit">total</span>
          </span>
        </StatCard>
        <StatCard
          label="Last block"
          hint={
            last ? (
              <>
                <TimeAgo iso={last.createdAt} /> by <MinerLink address={last.miner} />
              </>
            ) : undefined
          }
        >
          {last ? (
            <span data-testid="last-block">
              {formatCount(last.height)} <Badge status={last.status} />
            </span>
          ) : (
            <span className="muted">none yet</span>
          )}
        </StatCard>
      </div>
      {s.updatedAt && (
        <p className="updated">
          Figures from <TimeAgo iso={s.updatedAt} />; recomputed every {formatDuration(s.intervalSeconds)}.
        </p>
      )}
    </>
  );
}
