// Every pool of the deployment at a glance (home, when there are several): its payout terms, hashrate and
// miners now, and its stratum ports, each row leading to that pool's pages.
import { TableWrap } from '../components/bits.tsx';
import { Hashrate } from '../components/format.tsx';
import { formatCount } from '../lib/format.ts';
import { useApi } from '../lib/hooks.ts';
import { poolParamFor } from '../lib/pools.ts';
import { Link } from '../lib/router.tsx';
import type { Pool, Stats } from '../lib/types.ts';

export function PoolsTable({ pools, current }: { pools: Pool[]; current: Pool | undefined }) {
  return (
    <TableWrap label="Pools">
      <thead>
        <tr>
          <th scope="col">Pool</th>
          <th scope="col">Scheme</th>
          <th scope="col" className="right">
            Fee
          </th>
          <th scope="col" className="right">
            Hashrate
          </th>
          <th scope="col" className="right">
            Miners
          </th>
          <th scope="col">Stratum ports</th>
        </tr>
      </thead>
      <tbody data-testid="pools-rows">
        {pools.map((p) => (
          <PoolRow key={p.id} pool={p} shown={p.id === current?.id} />
        ))}
      </tbody>
    </TableWrap>
  );
}

function PoolRow({ pool, shown }: { pool: Pool; shown: boolean }) {
  const stats = useApi<Stats>('/stats', ['stats'], { pool: pool.id });
  const s = stats.data;
  return (
    <tr data-pool={pool.id}>
      <td>
        <Link to="/" pool={poolParamFor(pool)} aria-current={shown ? 'page' : undefined}>
          {pool.name}
        </Link>
        {shown && <span className="muted small"> · shown below</span>}
      </td>
      <td>{pool.payouts.scheme}</td>
      <td className="right num">{pool.payouts.feePercent} %</td>
      <td className="right">
        {s ? <Hashrate value={s.pool.hashrate.current} /> : <span className="muted">…</span>}
      </td>
      <td className="right num">{s ? formatCount(s.pool.miners) : <span className="muted">…</span>}</td>
      <td className="mono small">
        {pool.stratum.ports.map((port) => `${port.port}${port.tls ? ' (TLS)' : ''}`).join(', ')}
      </td>
    </tr>
  );
}
