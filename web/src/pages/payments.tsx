// /payments: the pool's payout transactions, newest first, with each one's recipients on demand.
import { Fragment, useState } from 'react';
import { Badge, Empty, Pager, TableWrap } from '../components/bits.tsx';
import { Erg, External, MinerLink, TimeAgo } from '../components/format.tsx';
import { Async, Loading } from '../components/state.tsx';
import { formatCount, shortAddress } from '../lib/format.ts';
import { useApi } from '../lib/hooks.ts';
import { useLocation, withQuery } from '../lib/router.tsx';
import type { Page, Payment } from '../lib/types.ts';
import { pageParam } from './blocks.tsx';

export function PaymentsPage() {
  const { query } = useLocation();
  const page = pageParam(query);
  const payments = useApi<Page<Payment>>(withQuery('/payments', { page, pageSize: 20 }), ['payments']);
  const [open, setOpen] = useState<number | null>(null);
  return (
    <>
      <h1>Payments</h1>
      <section className="card">
        <Async resource={payments} loadingLabel="Loading payments…">
          {(p) => (
            <>
              <TableWrap label="Payments">
                <thead>
                  <tr>
                    <th scope="col">Created</th>
                    <th scope="col" className="right">
                      Amount
                    </th>
                    <th scope="col">Recipients</th>
                    <th scope="col">Status</th>
                    <th scope="col">Transaction</th>
                  </tr>
                </thead>
                <tbody>
                  {p.items.length === 0 && (
                    <Empty colSpan={5}>
                      No payments yet: balances are paid once they reach the payout threshold.
                    </Empty>
                  )}
                  {p.items.map((payment) => (
                    <Fragment key={payment.id}>
                      <tr>
                        <td>
                          <TimeAgo iso={payment.sentAt ?? payment.createdAt} both />
                        </td>
                        <td className="right">
                          <Erg value={payment.amount} />
                          {payment.fee && (
                            <div className="muted small">
                              fee <Erg value={payment.fee} decimals={9} />
                            </div>
                          )}
                        </td>
                        <td>
                          {payment.txId ? (
                            <button
                              type="button"
                              className="link-button"
                              aria-expanded={open === payment.id}
                              onClick={() => setOpen(open === payment.id ? null : payment.id)}
                            >
                              {formatCount(payment.recipients)}{' '}
                              {payment.recipients === 1 ? 'miner' : 'miners'}
                            </button>
                          ) : (
                            formatCount(payment.recipients)
                          )}
                        </td>
                        <td>
                          <Badge status={payment.status} />
                          {payment.confirmations > 0 && (
                            <span className="muted small"> {formatCount(payment.confirmations)} conf.</span>
                          )}
                        </td>
                        <td>
                          {payment.txId ? (
                            <External href={payment.links.transaction} label={`Transaction ${payment.txId}`}>
                              <span className="mono">{shortAddress(payment.txId, 8, 6)}</span>
                            </External>
                          ) : (
                            <span className="muted">not sent yet</span>
                          )}
                        </td>
                      </tr>
                      {open === payment.id && payment.txId && (
                        <tr className="details">
                          <td colSpan={5}>
                            <Outputs txId={payment.txId} />
                          </td>
                        </tr>
                      )}
                    </Fragment>
                  ))}
                </tbody>
              </TableWrap>
              <Pager
                page={p.page}
                pageCount={p.pageCount}
                total={p.total}
                hrefFor={(n) => withQuery('/payments', { page: n })}
              />
            </>
          )}
        </Async>
      </section>
    </>
  );
}

function Outputs({ txId }: { txId: string }) {
  const payment = useApi<Payment>(`/payments/${encodeURIComponent(txId)}`, ['payments']);
  return (
    <Async resource={payment}>
      {(p) =>
        p.outputs && p.outputs.length > 0 ? (
          <ul className="outputs">
            {p.outputs.map((o) => (
              <li key={o.address}>
                <MinerLink address={o.address} /> <Erg value={o.amount} decimals={9} />
              </li>
            ))}
          </ul>
        ) : (
          <Loading label="No outputs recorded." />
        )
      }
    </Async>
  );
}
