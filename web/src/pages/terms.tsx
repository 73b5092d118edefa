// The payout terms, straight from the pool's config (/api/v1/pool): on home and on /help.
import { Erg } from '../components/format.tsx';
import { formatDuration } from '../lib/format.ts';
import type { Pool } from '../lib/types.ts';

export function schemeSummary(pool: Pool): string {
  const p = pool.payouts;
  switch (p.scheme) {
    case 'PPLNS':
      return `PPLNS — each block pays the last shares worth ${p.pplnsFactor} × the network difficulty`;
    case 'PPS':
      return 'PPS — every valid share is paid at once, block or not';
    case 'PROP':
      return 'PROP — each block pays the shares of its round';
    case 'SOLO':
      return 'SOLO — each block pays its finder';
    default:
      return p.scheme;
  }
}

export function PayoutTerms({ pool, meanBlockSeconds }: { pool: Pool; meanBlockSeconds?: number | null }) {
  const p = pool.payouts;
  const maturity = meanBlockSeconds ? ` (about ${formatDuration(p.confirmations * meanBlockSeconds)})` : '';
  return (
    <dl className="terms" data-testid="payout-terms">
      <dt>Scheme</dt>
      <dd>{schemeSummary(pool)}</dd>
      <dt>Pool fee</dt>
      <dd>{p.feePercent} %</dd>
      <dt>Minimum payout</dt>
      <dd>
        <Erg value={p.minimum} decimals={9} />
      </dd>
      <dt>Payout interval</dt>
      <dd>every {formatDuration(p.intervalSeconds)}</dd>
      <dt>Maturity</dt>
      <dd>
        {p.confirmations} confirmations{maturity}
      </dd>
      <dt>Transaction fee</dt>
      <dd>
        <Erg value={p.txFee} decimals={9} /> per payout transaction, paid by{' '}
        {p.txFeePaidBy === 'pool' ? 'the pool' : 'the miners in it'}
      </dd>
    </dl>
  );
}
