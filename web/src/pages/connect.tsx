// /connect: the stratum ports and a ready command line for each popular GPU miner, generated from the
// pool's own config, plus the HiveOS flight sheet.
import { useId, useState } from 'react';
import { CodeBlock, TableWrap } from '../components/bits.tsx';
import { Async } from '../components/state.tsx';
import { formatDuration } from '../lib/format.ts';
import { useApi } from '../lib/hooks.ts';
import { hiveOsFlightSheet, minerRecipes, stratumUrl } from '../lib/miners.ts';
import { usePools } from '../lib/pools.ts';
import type { Pool, StratumPort } from '../lib/types.ts';
import { LAST_ADDRESS_KEY } from './miner.tsx';
import { schemeSummary } from './terms.tsx';

function rememberedAddress(): string {
  try {
    return localStorage.getItem(LAST_ADDRESS_KEY) ?? '';
  } catch {
    return '';
  }
}

function tlsText(p: StratumPort): string {
  if (!p.tls) return 'no';
  return p.tlsDetect ? 'TLS or plain' : 'TLS only';
}

export function ConnectPage() {
  const pool = useApi<Pool>('/pool', ['pool']);
  const choice = usePools();
  const several = choice.pools !== undefined && choice.pools.length > 1;
  return (
    <>
      <h1>Connect a miner</h1>
      <Async resource={pool} loadingLabel="Loading the pool’s ports…">
        {(p) => <Connect key={p.id} pool={p} several={several} />}
      </Async>
    </>
  );
}

function Connect({ pool, several }: { pool: Pool; several: boolean }) {
  const ports = pool.stratum.ports;
  const [address, setAddress] = useState(rememberedAddress);
  const [worker, setWorker] = useState('rig1');
  const [portIndex, setPortIndex] = useState(0);
  const [useTls, setUseTls] = useState(false);
  const ids = { address: useId(), worker: useId(), port: useId(), tls: useId() };
  const port = ports[Math.min(portIndex, ports.length - 1)];

  if (!port) return <p className="notice">This pool has no stratum port configured.</p>;
  const tls = port.tls && (!port.tlsDetect || useTls);
  const target = {
    host: pool.stratum.host,
    port: port.port,
    tls,
    address: address.trim() || 'YOUR_ERGO_ADDRESS',
    worker: worker.trim().replace(/\s+/g, '_'),
  };

  return (
    <>
      {several && (
        <p className="notice" data-testid="connect-pool">
          These are the ports of <strong>{pool.name}</strong>: {schemeSummary(pool)}, fee{' '}
          {pool.payouts.feePercent} %. Each pool has ports of its own: pick another pool above for its ports.
        </p>
      )}
      <section className="card" aria-labelledby="ports-title">
        <h2 id="ports-title">Stratum ports</h2>
        <TableWrap label="Stratum ports">
          <thead>
            <tr>
              <th scope="col">Port</th>
              <th scope="col">URL</th>
              <th scope="col">TLS</th>
              <th scope="col" className="right">
                Start difficulty
              </th>
              <th scope="col">Vardiff</th>
            </tr>
          </thead>
          <tbody data-testid="ports-rows">
            {ports.map((p) => (
              <tr key={p.port}>
                <td className="num">
                  {p.port}
                  {p.name && <div className="muted small">{p.name}</div>}
                </td>
                <td className="mono">{p.url}</td>
                <td>{tlsText(p)}</td>
                <td className="right num">{p.difficulty.start}</td>
                <td>
                  {p.vardiff
                    ? `a share every ${formatDuration(p.vardiff.targetSeconds)} (${p.difficulty.min} … ${p.difficulty.max})`
                    : 'static'}
                </td>
              </tr>
            ))}
          </tbody>
        </TableWrap>
        <p className="muted">
          User: <code>ADDRESS.WORKER</code> — your Ergo {pool.network} address, a dot, and any name for the
          rig. Password: <code>x</code>, with options after commas: <code>x,d=2</code> asks for a fixed share
          difficulty, <code>x,t=5</code> sets your payout threshold to 5 ERG.
        </p>
      </section>

      <section className="card" aria-labelledby="commands-title">
        <h2 id="commands-title">Command lines</h2>
        <form className="connect-form" onSubmit={(e) => e.preventDefault()}>
          <div className="field">
            <label htmlFor={ids.address}>Your Ergo address</label>
            <input
              id={ids.address}
              value={address}
              placeholder="9…"
              spellCheck={false}
              autoComplete="off"
              onChange={(e) => setAddress(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor={ids.worker}>Worker name</label>
            <input id={ids.worker} value={worker} onChange={(e) => setWorker(e.target.value)} />
          </div>
          {ports.length > 1 && (
            <div className="field">
              <label htmlFor={ids.port}>Port</label>
              <select id={ids.port} value={portIndex} onChange={(e) => setPortIndex(Number(e.target.value))}>
                {ports.map((p, i) => (
                  <option key={p.port} value={i}>
                    {p.port}
                    {p.name ? ` (${p.name})` : ''}
                    {p.tls ? ' TLS' : ''}
                  </option>
                ))}
              </select>
            </div>
          )}
          {port.tls && port.tlsDetect && (
            <div className="field checkbox">
              <input
                id={ids.tls}
                type="checkbox"
                checked={useTls}
                onChange={(e) => setUseTls(e.target.checked)}
              />
              <label htmlFor={ids.tls}>Use TLS</label>
            </div>
          )}
        </form>
        <p>
          Pool: <code data-testid="stratum-url">{stratumUrl(target)}</code>
        </p>
        <div className="recipes" data-testid="recipes">
          {minerRecipes(target).map((r) => (
            <article key={r.id} className="recipe" data-miner={r.id}>
              <h3>
                {r.name} <span className="muted small">algorithm “{r.algorithm}”</span>
              </h3>
              <CodeBlock
                text={r.text}
                label={`${r.name} ${r.kind === 'config' ? 'config' : 'command line'}`}
              />
              {r.note && <p className="muted small">{r.note}</p>}
            </article>
          ))}
        </div>
      </section>

      <section className="card" aria-labelledby="hive-title">
        <h2 id="hive-title">HiveOS</h2>
        <p>
          Create a flight sheet with a wallet for ERG, choose the miner (lolMiner, TeamRedMiner,
          SRBMiner-MULTI, Rigel, GMiner, BzMiner or nanominer) and for the pool pick{' '}
          <em>Configure in miner</em>, then in the miner’s setup:
        </p>
        <dl className="terms">
          {hiveOsFlightSheet(target).map((f) => (
            <div key={f.label} className="term">
              <dt>{f.label}</dt>
              <dd>
                <code>{f.value}</code>
              </dd>
            </div>
          ))}
        </dl>
        <p className="muted small">
          Leave the algorithm as the miner’s own name for Autolykos2 (see above); extra options such as{' '}
          <code>--disable-cpu</code> go into “Extra config arguments”.
        </p>
      </section>
    </>
  );
}
