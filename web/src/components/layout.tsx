// The frame of every page: skip link, navigation, the pool switcher (several pools), the miner search box,
// the theme switch, the API-down banner and the live/polling indicator.
import { type FormEvent, type ReactNode, useEffect, useRef, useState } from 'react';
import { apiBase } from '../lib/config.ts';
import { searchableAddress } from '../lib/format.ts';
import { useApi, useLiveState, useReachable } from '../lib/hooks.ts';
import { currentPool, withPool } from '../lib/pool-param.ts';
import { type PoolChoice, poolParamFor, usePools } from '../lib/pools.ts';
import { Link, navigate, useLocation } from '../lib/router.tsx';
import { setTheme, useTheme } from '../lib/theme.ts';
import type { Pool } from '../lib/types.ts';

const NAV = [
  { to: '/', label: 'Home' },
  { to: '/blocks', label: 'Blocks' },
  { to: '/payments', label: 'Payments' },
  { to: '/miners', label: 'Miners' },
  { to: '/connect', label: 'Connect' },
  { to: '/help', label: 'Help' },
];

function isCurrent(path: string, to: string) {
  return to === '/' ? path === '/' : path === to || path.startsWith(`${to}/`);
}

function Search() {
  const [value, setValue] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const address = searchableAddress(value);
    if (!address) {
      setProblem(value.trim() ? 'That does not look like an Ergo address.' : 'Enter your Ergo address.');
      return;
    }
    setProblem(null);
    setValue('');
    navigate(withPool(`/miner/${encodeURIComponent(address)}`, currentPool()));
  };
  return (
    <search className="search">
      <form onSubmit={submit}>
        <label htmlFor="miner-search" className="visually-hidden">
          Miner address
        </label>
        <input
          id="miner-search"
          type="search"
          placeholder="Your Ergo address"
          autoComplete="off"
          spellCheck={false}
          value={value}
          aria-invalid={problem ? true : undefined}
          aria-describedby={problem ? 'miner-search-problem' : undefined}
          onChange={(e) => setValue(e.target.value)}
        />
        <button type="submit" className="button">
          Look up
        </button>
        {problem && (
          <span id="miner-search-problem" className="search-problem" role="alert">
            {problem}
          </span>
        )}
      </form>
    </search>
  );
}

/** The pool switcher, when the deployment has several: the same page of another pool. */
function PoolSwitch({ choice }: { choice: PoolChoice }) {
  const { path, query } = useLocation();
  const pools = choice.pools;
  if (!pools || pools.length < 2) return null;
  const pick = (id: string) => {
    const pool = pools.find((p) => p.id === id);
    if (!pool) return;
    // The same page and filters; another pool's list starts at its first page.
    const rest = new URLSearchParams(query);
    rest.delete('page');
    const to = rest.toString() ? `${path}?${rest}` : path;
    navigate(withPool(to, poolParamFor(pool)));
  };
  return (
    <div className="pool-switch">
      <label htmlFor="pool-switch">Pool</label>
      <select
        id="pool-switch"
        data-testid="pool-switch"
        value={choice.current?.id ?? ''}
        onChange={(e) => pick(e.target.value)}
      >
        {!choice.current && <option value="">{choice.picked ?? '…'}</option>}
        {pools.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name} · {p.payouts.scheme}
          </option>
        ))}
      </select>
    </div>
  );
}

function UnknownPool({ choice }: { choice: PoolChoice }) {
  if (!choice.unknown) return null;
  return (
    <div className="banner" role="alert" data-testid="unknown-pool">
      <strong>There is no pool “{choice.picked}” here.</strong> The pools are{' '}
      {choice.pools?.map((p, i) => (
        <span key={p.id}>
          {i > 0 && ', '}
          <Link to="/" pool={poolParamFor(p)}>
            {p.name}
          </Link>
        </span>
      ))}
      .
    </div>
  );
}

function ThemeSwitch() {
  const theme = useTheme();
  const next = theme === 'dark' ? 'light' : 'dark';
  return (
    <button
      type="button"
      className="button icon"
      onClick={() => setTheme(next)}
      aria-label={`Switch to ${next} theme`}
      title={`Switch to ${next} theme`}
    >
      <span aria-hidden="true">{theme === 'dark' ? '☀' : '☾'}</span>
    </button>
  );
}

function ApiDownBanner() {
  const reachable = useReachable();
  if (reachable) return null;
  return (
    <div className="banner" role="alert" data-testid="api-down">
      <strong>The pool’s API is not reachable.</strong> The figures below are the last ones received; the page
      keeps retrying and updates itself when the API is back.
    </div>
  );
}

function LiveIndicator() {
  const state = useLiveState();
  const text = state === 'open' ? 'Live' : state === 'connecting' ? 'Connecting…' : 'Polling';
  const title =
    state === 'open'
      ? 'Updates arrive over the websocket as they happen'
      : 'The live feed is not connected: the page refreshes its data every few seconds';
  return (
    <span className={`live live-${state}`} title={title} data-testid="live-state">
      <span className="dot" aria-hidden="true" />
      {text}
    </span>
  );
}

export function Layout({ children }: { children: ReactNode }) {
  const { path } = useLocation();
  const pool = useApi<Pool>('/pool', ['pool']);
  const choice = usePools();
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);

  // After a navigation, move focus to the new page so keyboard and screen-reader users start there.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on each change of page
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus();
  }, [path]);

  const name = pool.data?.name ?? 'EnigmaPool';
  useEffect(() => {
    document.title = name;
  }, [name]);

  return (
    <>
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <header className="header">
        <div className="header-row">
          <Link to="/" className="brand">
            <span className="logo" aria-hidden="true">
              Σ
            </span>
            {name}
            {pool.data && pool.data.network !== 'mainnet' && (
              <span className="badge">{pool.data.network}</span>
            )}
          </Link>
          <PoolSwitch choice={choice} />
          <Search />
          <ThemeSwitch />
        </div>
        <nav className="nav" aria-label="Main">
          {NAV.map((item) => (
            <Link key={item.to} to={item.to} aria-current={isCurrent(path, item.to) ? 'page' : undefined}>
              {item.label}
            </Link>
          ))}
        </nav>
      </header>
      <ApiDownBanner />
      <UnknownPool choice={choice} />
      <main id="main" ref={main} tabIndex={-1}>
        {children}
      </main>
      <footer className="footer">
        <LiveIndicator />
        <span>
          <a href={`${apiBase()}/api/v1/docs`}>API documentation</a> ·{' '}
          <a href={`${apiBase()}/api/v1/openapi.json`}>OpenAPI</a>
        </span>
        <span>EnigmaPool · open-source Ergo mining pool</span>
      </footer>
    </>
  );
}
