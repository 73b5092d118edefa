// A miner in every pool of the deployment (its page, when there are several): balances, hashrate and
// workers per pool, each row leading to its dashboard in that pool.
import { TableWrap } from '../components/bits.tsx';
import { Erg, Hashrate } from '../components/format.tsx';
import { formatCount } from '../lib/format.ts';
import { useApi } from '../lib/hooks.ts';
import { Link } from '../lib/router.tsx';
import type { MinerInPool } from '../lib/types.ts';

export function BalancesByPool({ address, shown }: { address: string; shown: string | undefined }) {
  const rows = useApi<{ address: string; items: MinerInPool[] }>(
    `/miners/${encodeURIComponent(address)}/pools`,
    ['miners', 'payments'],
    'deployment',
  );
  // An invalid address is said once, below; until the answer, the dashboard's own loading state shows.
  if (!rows.data) return null;
  return (
    <section className="card" aria-labelledby="by-pool-title">
      <h2 id="by-pool-title">Balances by pool</h2>
      <TableWrap label="Balances by pool">
        <thead>
          <tr>
            <th scope="col">Pool</th>
            <th scope="col" className="right">
              Hashrate
            </th>
            <th scope="col" className="right">
              Workers
            </th>
            <th scope="col" className="right">
              Immature
            </th>
            <th scope="col" className="right">
              Payable
            </th>
            <th scope="col" className="right">
              Paid
            </th>
          </tr>
        </thead>
        <tbody data-testid="pool-balances">
          {rows.data.items.map((row) => (
            <tr key={row.pool} data-pool={row.pool}>
              <td>
                <Link
                  to={`/miner/${encodeURIComponent(address)}`}
                  pool={row.default ? null : row.pool}
                  aria-current={row.pool === shown ? 'page' : undefined}
                >
                  {row.name}
                </Link>{' '}
                <span className="muted small">{row.scheme}</span>
              </td>
              <td className="right">
                <Hashrate value={row.hashrate.current} />
              </td>
              <td className="right num">{formatCount(row.workers)}</td>
              <td className="right">
                <Erg value={row.balances.immature} decimals={9} />
              </td>
              <td className="right">
                <Erg value={row.balances.payable} decimals={9} />
              </td>
              <td className="right">
                <Erg value={row.balances.paid} decimals={9} />
                {row.balances.inFlight !== '0' && (
                  <div className="muted small">
                    <Erg value={row.balances.inFlight} decimals={9} /> in flight
                  </div>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </TableWrap>
    </section>
  );
}
