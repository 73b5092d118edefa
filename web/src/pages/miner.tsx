// /miner/ADDRESS: one miner's dashboard — hashrate and chart, workers, balances, earnings, payouts; with
// several pools, its balances in each pool above the picked pool's dashboard.
import { useEffect } from 'react';
import { CopyButton, StatCard } from '../components/bits.tsx';
import { Erg, External, Hashrate, TimeAgo } from '../components/format.tsx';
import { HistoryCard } from '../components/history.tsx';
import { ErrorBox, Loading } from '../components/state.tsx';
import { formatCount, formatPercent } from '../lib/format.ts';
import { useApi } from '../lib/hooks.ts';
import { usePools } from '../lib/pools.ts';
import { Link } from '../lib/router.tsx';
import { topWorkers } from '../lib/series.ts';
import type { Miner, MinerHistoryPoint, Pool } from '../lib/types.ts';
import { Balances, Earnings, Ledger, MinerPayments, WorkersTable } from './miner-parts.tsx';
import { BalancesByPool } from './miner-pools.tsx';

export const LAST_ADDRESS_KEY = 'enigmapool.address';
const MAX_WORKER_LINES = 5;

export function MinerPage({ address }: { address: string }) {
  const path = `/miners/${encodeURIComponent(address)}`;
  const miner = useApi<Miner>(path, ['miners']);
  const choice = usePools();
  const several = choice.pools !== undefined && choice.pools.length > 1;

  useEffect(() => {
    if (!miner.data) return;
    try {
      localStorage.setItem(LAST_ADDRESS_KEY, miner.data.address);
    } catch {
      // storage unavailable: nothing to remember
    }
  }, [miner.data]);

  return (
    <>
      <h1>Miner</h1>
      <div className="address-line">
        <span className="mono address" data-testid="miner-address">
          {address}
        </span>
        <CopyButton text={address} label="address" />
        {miner.data?.links.address && <External href={miner.data.links.address}>explorer</External>}
      </div>
      {several && <BalancesByPool address={address} shown={choice.current?.id} />}
      {several && choice.current && <h2 className="pool-heading">In {choice.current.name}</h2>}
      {miner.data ? (
        miner.data.known ? (
          <Dashboard miner={miner.data} path={path} />
        ) : (
          <NoHistory address={miner.data.address} />
        )
      ) : miner.error?.status === 400 ? (
        <div className="card" role="alert" data-testid="invalid-address">
          <h2>That is not a valid Ergo address</h2>
          <p>{miner.error.message}</p>
          <p>
            Check that you copied the whole address from your wallet: a mainnet address starts with{' '}
            <code>9</code> and is about 51 characters long.
          </p>
        </div>
      ) : miner.error ? (
        <ErrorBox error={miner.error} retry={miner.reload} />
      ) : (
        <Loading label="Loading the miner…" />
      )}
    </>
  );
}

function NoHistory({ address }: { address: string }) {
  return (
    <div className="card" data-testid="no-history">
      <h2>Nothing here yet</h2>
      <p>
        This is a valid address, but the pool has not received a share from it. Point your miner at the pool
        with the user <code className="mono">{address}.rig1</code> (any worker name after the dot); its
        hashrate appears here within a few minutes of the first accepted share.
      </p>
      <p>
        <Link to="/connect">How to connect →</Link>
      </p>
    </div>
  );
}

function Dashboard({ miner: m, path }: { miner: Miner; path: string }) {
  const pool = useApi<Pool>('/pool', ['pool']);
  const total = m.workerList.length;
  return (
    <>
      <div className="stats" data-testid="miner-figures">
        <StatCard label="Hashrate now">
          <span data-testid="miner-hashrate">
            <Hashrate value={m.hashrate.current} />
          </span>
        </StatCard>
        <StatCard label="Average 1 h / 24 h">
          <Hashrate value={m.hashrate.avg1h} /> / <Hashrate value={m.hashrate.avg24h} />
        </StatCard>
        <StatCard
          label="Workers online"
          hint={
            <>
              last share <TimeAgo iso={m.lastShareAt} />
            </>
          }
        >
          {formatCount(m.workers)} <span className="unit">of {formatCount(total)}</span>
        </StatCard>
        <StatCard
          label="Estimated earnings"
          hint={
            m.estimate.windowShare !== null
              ? `${formatPercent(m.estimate.windowShare, 2)} of the current window`
              : undefined
          }
        >
          <Erg value={m.estimate.ergPerDay} /> <span className="unit">per day</span>
        </StatCard>
      </div>

      <HistoryCard<MinerHistoryPoint>
        title="Hashrate"
        path={`${path}/history`}
        testId="miner-chart"
        emptyText="No samples yet: the chart fills in as the stats job records this miner."
        series={(points) => {
          const names = topWorkers(points, MAX_WORKER_LINES);
          const total = { label: 'Total', values: points.map((p) => p.hashrate) };
          // One worker is the total: a second line would only hide the first.
          if (names.length < 2) return [total];
          return [
            total,
            ...names.map((name) => ({ label: name, values: points.map((p) => p.workers[name] ?? null) })),
          ];
        }}
      />

      <section className="card" aria-labelledby="workers-title">
        <h2 id="workers-title">Workers</h2>
        <WorkersTable workers={m.workerList} />
      </section>

      <section className="card" aria-labelledby="balances-title">
        <h2 id="balances-title">Balances</h2>
        <Balances miner={m} minimum={pool.data?.payouts.minimum} />
      </section>

      <div className="two-columns">
        <section className="card" aria-labelledby="payouts-title">
          <h2 id="payouts-title">Payouts</h2>
          <MinerPayments path={path} />
        </section>
        <section className="card" aria-labelledby="earnings-title">
          <h2 id="earnings-title">Credited per day</h2>
          <Earnings path={path} />
        </section>
      </div>

      <section className="card" aria-labelledby="ledger-title">
        <h2 id="ledger-title">Balance changes</h2>
        <Ledger path={path} />
      </section>
    </>
  );
}
