// /blocks: every block the pool found, newest first, filtered by status and paged.
import { Badge, Empty, Pager, Progress, TableWrap } from '../components/bits.tsx';
import { Erg, External, MinerLink, TimeAgo } from '../components/format.tsx';
import { Async } from '../components/state.tsx';
import { formatCount, formatPercent } from '../lib/format.ts';
import { useApi } from '../lib/hooks.ts';
import { Link, useLocation, withQuery } from '../lib/router.tsx';
import type { Block, Page } from '../lib/types.ts';

const FILTERS = [
  { value: '', label: 'All' },
  { value: 'pending', label: 'Pending' },
  { value: 'confirmed', label: 'Confirmed' },
  { value: 'orphaned', label: 'Orphaned' },
];

export function pageParam(query: URLSearchParams): number {
  const n = Number(query.get('page') ?? '0');
  return Number.isInteger(n) && n >= 0 ? n : 0;
}

export function BlocksPage() {
  const { query } = useLocation();
  const status = FILTERS.some((f) => f.value === query.get('status')) ? (query.get('status') ?? '') : '';
  const page = pageParam(query);
  const blocks = useApi<Page<Block>>(withQuery('/blocks', { page, pageSize: 20, status }), ['blocks']);
  return (
    <>
      <h1>Blocks</h1>
      <nav className="filters" aria-label="Filter by status">
        {FILTERS.map((f) => (
          <Link
            key={f.value}
            to={withQuery('/blocks', { status: f.value })}
            aria-current={status === f.value ? 'page' : undefined}
            className="chip"
          >
            {f.label}
          </Link>
        ))}
      </nav>
      <section className="card">
        <Async resource={blocks} loadingLabel="Loading blocks…">
          {(p) => (
            <>
              <BlocksTable blocks={p.items} emptyText={status ? `No ${status} blocks.` : undefined} />
              <Pager
                page={p.page}
                pageCount={p.pageCount}
                total={p.total}
                hrefFor={(n) => withQuery('/blocks', { status, page: n })}
              />
            </>
          )}
        </Async>
      </section>
    </>
  );
}

export function BlocksTable({
  blocks,
  compact = false,
  emptyText,
}: {
  blocks: Block[];
  compact?: boolean;
  emptyText?: string;
}) {
  const columns = compact ? 5 : 7;
  return (
    <TableWrap label="Blocks">
      <thead>
        <tr>
          <th scope="col">Height</th>
          <th scope="col">Found</th>
          <th scope="col">Status</th>
          {!compact && (
            <th scope="col" className="right">
              Effort
            </th>
          )}
          <th scope="col" className="right">
            Reward
          </th>
          <th scope="col">Finder</th>
          {!compact && <th scope="col">Explorer</th>}
        </tr>
      </thead>
      <tbody data-testid="blocks-rows">
        {blocks.length === 0 && (
          <Empty colSpan={columns}>
            {emptyText ??
              'No blocks yet. The pool finds a block when one of its shares meets the network target.'}
          </Empty>
        )}
        {blocks.map((b) => (
          <tr key={b.id} data-height={b.height}>
            <td className="num">{formatCount(b.height)}</td>
            <td>
              <TimeAgo iso={b.createdAt} both={!compact} />
            </td>
            <td>
              <div className="status-cell">
                <Badge status={b.status} />
                {b.status === 'pending' && (
                  <>
                    <Progress
                      value={b.confirmationProgress}
                      label={`${b.confirmations} of ${b.requiredConfirmations} confirmations`}
                    />
                    <span className="muted small">
                      {b.confirmations}/{b.requiredConfirmations}
                    </span>
                  </>
                )}
              </div>
            </td>
            {!compact && <td className="right num">{formatPercent(b.effort)}</td>}
            <td className="right">
              <Erg value={b.reward} />
            </td>
            <td>
              <MinerLink address={b.miner} />
              {b.worker && <span className="muted small"> · {b.worker}</span>}
            </td>
            {!compact && (
              <td>
                {b.links.block ? (
                  <External href={b.links.block} label={`Block ${b.height} in the explorer`}>
                    block
                  </External>
                ) : (
                  <span className="muted">—</span>
                )}
              </td>
            )}
          </tr>
        ))}
      </tbody>
    </TableWrap>
  );
}
