// /miners: the top miners by current hashrate.
import { Empty, Pager, TableWrap } from '../components/bits.tsx';
import { Hashrate, MinerLink, TimeAgo } from '../components/format.tsx';
import { Async } from '../components/state.tsx';
import { formatCount } from '../lib/format.ts';
import { useApi } from '../lib/hooks.ts';
import { useLocation, withQuery } from '../lib/router.tsx';
import type { MinerSummary, Page } from '../lib/types.ts';
import { pageParam } from './blocks.tsx';

export function MinersPage() {
  const { query } = useLocation();
  const page = pageParam(query);
  const pageSize = 25;
  const miners = useApi<Page<MinerSummary>>(withQuery('/miners', { page, pageSize }), ['miners']);
  return (
    <>
      <h1>Top miners</h1>
      <section className="card">
        <Async resource={miners} loadingLabel="Loading miners…">
          {(p) => (
            <>
              <TableWrap label="Miners by current hashrate">
                <thead>
                  <tr>
                    <th scope="col" className="right">
                      #
                    </th>
                    <th scope="col">Address</th>
                    <th scope="col" className="right">
                      Hashrate
                    </th>
                    <th scope="col" className="right">
                      1 h
                    </th>
                    <th scope="col" className="right">
                      24 h
                    </th>
                    <th scope="col" className="right">
                      Workers
                    </th>
                    <th scope="col">Last share</th>
                  </tr>
                </thead>
                <tbody data-testid="miners-rows">
                  {p.items.length === 0 && <Empty colSpan={7}>No miners are mining right now.</Empty>}
                  {p.items.map((m, i) => (
                    <tr key={m.address}>
                      <td className="right num">{p.page * p.pageSize + i + 1}</td>
                      <td>
                        <MinerLink address={m.address} />
                      </td>
                      <td className="right">
                        <Hashrate value={m.hashrate.current} />
                      </td>
                      <td className="right">
                        <Hashrate value={m.hashrate.avg1h} />
                      </td>
                      <td className="right">
                        <Hashrate value={m.hashrate.avg24h} />
                      </td>
                      <td className="right num">{formatCount(m.workers)}</td>
                      <td>
                        <TimeAgo iso={m.lastShareAt} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </TableWrap>
              <Pager
                page={p.page}
                pageCount={p.pageCount}
                total={p.total}
                hrefFor={(n) => withQuery('/miners', { page: n })}
              />
            </>
          )}
        </Async>
      </section>
    </>
  );
}
