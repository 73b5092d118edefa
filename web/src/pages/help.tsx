// /help: how this pool pays (the exact rules of its scheme; with several pools, each pool's), its fees and
// maturity, what stale and invalid shares are, and how the hashrates on this site are estimated.
import { Erg } from '../components/format.tsx';
import { Async } from '../components/state.tsx';
import { apiBase } from '../lib/config.ts';
import { formatDuration } from '../lib/format.ts';
import { useApi } from '../lib/hooks.ts';
import { usePools } from '../lib/pools.ts';
import type { Pool } from '../lib/types.ts';
import { PayoutTerms } from './terms.tsx';

function SchemeRules({ pool }: { pool: Pool }) {
  const p = pool.payouts;
  switch (p.scheme) {
    case 'PPLNS':
      return (
        <ul>
          <li>
            A share weighs its expected number of blocks: the hashes it stands for (its difficulty × 2
            <sup>32</sup>) divided by the network difficulty when it was submitted.
          </li>
          <li>
            When the pool finds a block, the fee is taken and the rest is shared by the last shares whose
            weights add up to <strong>{p.pplnsFactor}</strong> (the window, {p.pplnsFactor} × the network
            difficulty), newest first, the block’s own share included; the share that crosses the edge counts
            only for its part inside.
          </li>
          <li>
            Each miner gets the reward × its weight in the window ÷ the window’s total weight. If the pool’s
            whole history is lighter than the window, the shares present share the whole reward: the pool
            keeps nothing.
          </li>
          <li>Hopping does not pay: a share counts for every block found while it is inside the window.</li>
        </ul>
      );
    case 'PROP':
      return (
        <ul>
          <li>
            A round runs from the pool’s previous block to this one; every share of the round counts by its
            weight.
          </li>
          <li>An orphaned block does not close its round: its shares count for the next block.</li>
        </ul>
      );
    case 'PPS':
      return (
        <ul>
          <li>
            Every valid share is credited at once: the block reward at its height × its weight (expected
            blocks) × (1 − fee), whether or not the pool finds blocks. The pool carries the luck.
          </li>
          <li>Transaction fees of the blocks the pool finds stay with the pool.</li>
        </ul>
      );
    case 'SOLO':
      return (
        <ul>
          <li>
            Each block the pool finds pays its finder, after the fee. Other miners’ shares earn nothing from
            it.
          </li>
        </ul>
      );
    default:
      return null;
  }
}

function Rules({ pool, named }: { pool: Pool; named: boolean }) {
  const p = pool.payouts;
  return (
    <section className="card" data-testid="pool-rules" data-pool={pool.id}>
      <h2>{named ? `How ${pool.name} pays` : 'How you are paid'}</h2>
      <PayoutTerms pool={pool} />
      <h3>{p.scheme} rules</h3>
      <SchemeRules pool={pool} />
      <h3>Fees and rounding</h3>
      <p>
        The fee is {p.feePercent} %{p.fees.length > 1 ? `, shared by ${p.fees.length} recipients` : ''}. A
        block’s reward is split exactly in nanoERG (10<sup>−9</sup> ERG): everyone gets the whole nanoERG of
        their exact share, and the few left over go one each to the largest remainders. The credits of a block
        add up to its reward, to the nanoERG.
      </p>
      <h3>Maturity and payouts</h3>
      <p>
        Credits for a block are <em>immature</em> until the block has {p.confirmations} confirmations (the
        network locks block rewards until then), then <em>payable</em>. If the block is orphaned, its credits
        are void. Every {formatDuration(p.intervalSeconds)} the pool pays every address whose payable balance
        has reached its threshold (at least <Erg value={p.minimum} decimals={9} />) its whole payable balance.
        Each payment is recorded before it is sent and checked against the chain after a restart, so nothing
        is paid twice or skipped.{' '}
        {p.txFeePaidBy === 'pool'
          ? 'The network fee of payout transactions is paid by the pool.'
          : 'The network fee of a payout transaction is shared equally by its recipients.'}
      </p>
    </section>
  );
}

export function HelpPage() {
  const pool = useApi<Pool>('/pool', ['pool']);
  const { pools, current } = usePools();
  // Several pools: each one's rules, the picked pool's first.
  const several = pools !== undefined && pools.length > 1;
  const others = several ? pools.filter((p) => p.id !== current?.id) : [];
  return (
    <>
      <h1>Help</h1>
      {several && (
        <p className="notice">
          This site runs {pools.length} pools, each with its own payout scheme, fee and ports:{' '}
          {pools.map((p) => `${p.name} (${p.payouts.scheme})`).join(', ')}. Your shares count in the pool
          whose port your miner connects to.
        </p>
      )}
      <Async resource={pool}>{(p) => <Rules pool={p} named={several} />}</Async>
      {others.map((p) => (
        <Rules key={p.id} pool={p} named />
      ))}
      <section className="card">
        <h2>Shares: valid, stale, invalid</h2>
        <dl className="terms">
          <dt>Valid</dt>
          <dd>A share for the current job that meets your difficulty: it counts toward your earnings.</dd>
          <dt>Stale</dt>
          <dd>
            A correct share for a block height the network has already moved past. It earns nothing; a few are
            normal (a new block every two minutes or so), many mean high latency to the pool.
          </dd>
          <dt>Invalid</dt>
          <dd>
            A share that fails the Autolykos check or does not meet your difficulty (or was sent twice).
            Usually an overclock that is too high: lower the memory clock.
          </dd>
        </dl>
      </section>
      <section className="card">
        <h2>How hashrate is estimated</h2>
        <p>
          Nobody can see a miner’s hashrate: the pool counts the work its accepted shares prove. Each share of
          difficulty <em>d</em> stands for about <em>d</em> × 2<sup>32</sup> hashes, so a hashrate is the sum
          of the expected hashes of the accepted shares in a window divided by the window’s length — no fudge
          factor.
        </p>
        <ul>
          <li>
            <strong>Now</strong> is over the last 10 minutes; the averages are over 1 hour and 24 hours. A
            worker that connected more recently is measured over its own time, so a new rig is not shown
            diluted.
          </li>
          <li>A worker that stops sending shares falls to zero and is shown offline.</li>
          <li>
            Shares arrive at random, so a short window scatters: with a share every 15 seconds, the 10-minute
            figure is within about ±30 % most of the time, the 24-hour average within a few percent.
          </li>
          <li>Every page and the API use the same computation, so the list and the detail always agree.</li>
        </ul>
        <p>
          <strong>Effort</strong> is the work the pool has done since its last block divided by the work a
          block needs on average: 100 % is exactly average luck.
        </p>
      </section>
      <section className="card">
        <h2>The API</h2>
        <p>
          Everything on this site comes from the pool’s public API: see the{' '}
          <a href={`${apiBase()}/api/v1/docs`}>API documentation</a>. Dashboards written for MiningCore work
          with it too.
        </p>
      </section>
    </>
  );
}
