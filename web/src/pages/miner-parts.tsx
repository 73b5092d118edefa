// The sections of a miner's dashboard: workers, balances with the payout threshold, payouts, credited
// earnings per day, and the ledger of balance changes.
import { useState } from 'react';
import { Badge, Empty, StatCard, TableWrap } from '../components/bits.tsx';
import { Erg, External, Hashrate, TimeAgo } from '../components/format.tsx';
import { Async } from '../components/state.tsx';
import { formatCount, shortAddress } from '../lib/format.ts';
import { useApi } from '../lib/hooks.ts';
import { withQuery } from '../lib/router.tsx';
import type { LedgerEntry, Miner, MinerPayment, Page, Worker } from '../lib/types.ts';

export function WorkersTable({ workers }: { workers: Worker[] }) {
  const sorted = [...workers].sort(
    (a, b) => Number(b.online) - Number(a.online) || a.name.localeCompare(b.name),
  );
  return (
    <TableWrap label="Workers">
      <thead>
        <tr>
          <th scope="col">Worker</th>
          <th scope="col">State</th>
          <th scope="col" className="right">
            Now
          </th>
          <th scope="col" className="right">
            1 h
          </th>
          <th scope="col" className="right" title="valid / stale / invalid shares in the last 24 hours">
            Shares 24 h
          </th>
          <th scope="col">Last share</th>
        </tr>
      </thead>
      <tbody data-testid="workers-rows">
        {sorted.length === 0 && <Empty colSpan={6}>No worker has sent a share in the last 24 hours.</Empty>}
        {sorted.map((w) => (
          <tr key={w.name} data-worker={w.name}>
            <td className="mono">{w.name || '(default)'}</td>
            <td>
              <Badge status={w.online ? 'online' : 'offline'} />
            </td>
            <td className="right">
              <Hashrate value={w.hashrate.current} />
            </td>
            <td className="right">
              <Hashrate value={w.hashrate.avg1h} />
            </td>
            <td className="right num">
              <span title="valid">{formatCount(w.shares.valid)}</span> /{' '}
              <span title="stale" className={w.shares.stale ? 'warn' : undefined}>
                {formatCount(w.shares.stale)}
              </span>{' '}
              /{' '}
              <span title="invalid" className={w.shares.invalid ? 'bad' : undefined}>
                {formatCount(w.shares.invalid)}
              </span>
            </td>
            <td>
              <TimeAgo iso={w.lastShareAt} />
            </td>
          </tr>
        ))}
      </tbody>
    </TableWrap>
  );
}

export function Balances({ miner: m, minimum }: { miner: Miner; minimum: string | undefined }) {
  return (
    <>
      <div className="stats" data-testid="balances">
        <StatCard label="Immature" hint="credited for blocks not yet confirmed">
          <Erg value={m.balances.immature} decimals={9} />
        </StatCard>
        <StatCard label="Payable" hint="paid at the next payout run once it reaches the threshold">
          <Erg value={m.balances.payable} decimals={9} />
        </StatCard>
        <StatCard label="In flight" hint="in a payout transaction being sent">
          <Erg value={m.balances.inFlight} decimals={9} />
        </StatCard>
        <StatCard label="Paid" hint="in total">
          <Erg value={m.balances.paid} decimals={9} />
        </StatCard>
      </div>
      <div className="threshold">
        <p>
          Payout threshold: <Erg value={m.payoutThreshold} decimals={9} />{' '}
          {m.payoutThresholdSource === 'miner' ? '(set by you)' : '(the pool’s minimum)'}.
        </p>
        <details>
          <summary>How to set your payout threshold</summary>
          <p>
            Add <code>t=</code> and an amount in ERG to your miner’s password, after a comma: for example{' '}
            <code>-p x,t=5</code> (with a fixed share difficulty too: <code>x,t=5,d=2</code>). It cannot be
            below the pool’s minimum
            {minimum ? (
              <>
                {' '}
                of <Erg value={minimum} decimals={9} />
              </>
            ) : null}
            . The pool applies it once your address has had shares accepted on that connection — no account,
            and nobody else can change it for you.
          </p>
        </details>
      </div>
    </>
  );
}

function usePaged<T>(path: string, pageSize: number, topic: 'payments' | 'miners') {
  const [page, setPage] = useState(0);
  const resource = useApi<Page<T>>(withQuery(path, { page, pageSize }), [topic]);
  return { page, setPage, resource };
}

function LocalPager({
  page,
  pageCount,
  setPage,
}: {
  page: number;
  pageCount: number;
  setPage: (n: number) => void;
}) {
  if (pageCount <= 1) return null;
  return (
    <div className="pager">
      <button type="button" className="button small" disabled={page === 0} onClick={() => setPage(page - 1)}>
        ← Newer
      </button>
      <span className="pager-info">
        page {page + 1} of {pageCount}
      </span>
      <button
        type="button"
        className="button small"
        disabled={page + 1 >= pageCount}
        onClick={() => setPage(page + 1)}
      >
        Older →
      </button>
    </div>
  );
}

export function MinerPayments({ path }: { path: string }) {
  const { page, setPage, resource } = usePaged<MinerPayment>(`${path}/payments`, 10, 'payments');
  return (
    <Async resource={resource}>
      {(p) => (
        <>
          <TableWrap label="Payouts to this miner">
            <thead>
              <tr>
                <th scope="col">Sent</th>
                <th scope="col" className="right">
                  Amount
                </th>
                <th scope="col">Status</th>
                <th scope="col">Transaction</th>
              </tr>
            </thead>
            <tbody>
              {p.items.length === 0 && <Empty colSpan={4}>No payouts yet.</Empty>}
              {p.items.map((x, i) => (
                <tr key={x.txId ?? `planned-${i}`}>
                  <td>
                    <TimeAgo iso={x.sentAt ?? x.createdAt} />
                  </td>
                  <td className="right">
                    <Erg value={x.amount} decimals={9} />
                  </td>
                  <td>
                    <Badge status={x.status} />
                  </td>
                  <td>
                    {x.txId ? (
                      <External href={x.links.transaction} label={`Transaction ${x.txId}`}>
                        <span className="mono">{shortAddress(x.txId, 8, 6)}</span>
                      </External>
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </TableWrap>
          <LocalPager page={page} pageCount={p.pageCount} setPage={setPage} />
        </>
      )}
    </Async>
  );
}

export function Earnings({ path }: { path: string }) {
  const earnings = useApi<{ days: number; items: { date: string; amount: string }[] }>(
    `${path}/earnings?days=30`,
    ['miners'],
  );
  return (
    <Async resource={earnings}>
      {(e) => (
        <TableWrap label="Credited per UTC day">
          <thead>
            <tr>
              <th scope="col">Day (UTC)</th>
              <th scope="col" className="right">
                Credited
              </th>
            </tr>
          </thead>
          <tbody>
            {e.items.length === 0 && <Empty colSpan={2}>Nothing credited in the last {e.days} days.</Empty>}
            {e.items.map((d) => (
              <tr key={d.date}>
                <td className="num">{d.date}</td>
                <td className="right">
                  <Erg value={d.amount} decimals={9} />
                </td>
              </tr>
            ))}
          </tbody>
        </TableWrap>
      )}
    </Async>
  );
}

const KIND_TEXT: Record<string, string> = {
  block_credit: 'block reward share',
  pps_credit: 'PPS credit',
  fee: 'pool fee',
  payout: 'payout',
  payout_reversal: 'payout returned',
  adjustment: 'adjustment',
};

export function Ledger({ path }: { path: string }) {
  const { page, setPage, resource } = usePaged<LedgerEntry>(`${path}/ledger`, 15, 'miners');
  return (
    <Async resource={resource}>
      {(p) => (
        <>
          <TableWrap label="Balance changes">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">What</th>
                <th scope="col" className="right">
                  Amount
                </th>
                <th scope="col">Block / transaction</th>
              </tr>
            </thead>
            <tbody>
              {p.items.length === 0 && <Empty colSpan={4}>No balance changes yet.</Empty>}
              {p.items.map((x) => (
                <tr key={x.id}>
                  <td>
                    <TimeAgo iso={x.createdAt} both />
                  </td>
                  <td>
                    {KIND_TEXT[x.kind] ?? x.kind}
                    {x.reason && <div className="muted small">{x.reason}</div>}
                  </td>
                  <td className={`right ${x.amount.startsWith('-') ? 'bad' : 'good'}`}>
                    <Erg value={x.amount} decimals={9} />
                  </td>
                  <td className="mono small">
                    {x.blockHeight !== null ? `block ${formatCount(x.blockHeight)}` : ''}
                    {x.txId ? shortAddress(x.txId, 8, 6) : ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </TableWrap>
          <LocalPager page={page} pageCount={p.pageCount} setPage={setPage} />
        </>
      )}
    </Async>
  );
}
