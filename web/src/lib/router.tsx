// A small history router: bookmarkable paths and query strings, links that stay in the page (and in the
// pool the visitor picked).
import { type AnchorHTMLAttributes, type MouseEvent, useSyncExternalStore } from 'react';
import { poolOf, withPool } from './pool-param.ts';

const listeners = new Set<() => void>();
const notify = () => {
  for (const l of listeners) l();
};
if (typeof window !== 'undefined') window.addEventListener('popstate', notify);

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === window.location.pathname + window.location.search) return;
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  if (!options.replace) window.scrollTo(0, 0);
  notify();
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

export interface Location {
  path: string;
  query: URLSearchParams;
}

let cachedKey = '';
let cached: Location = { path: '/', query: new URLSearchParams() };
function snapshot(): Location {
  const key = window.location.pathname + window.location.search;
  if (key !== cachedKey) {
    cachedKey = key;
    cached = { path: window.location.pathname, query: new URLSearchParams(window.location.search) };
  }
  return cached;
}

export function useLocation(): Location {
  return useSyncExternalStore(subscribe, snapshot);
}

/** A path with query parameters, leaving out empty ones: withQuery('/blocks', { page: 2 }). */
export function withQuery(path: string, params: Record<string, string | number | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== null && v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

type LinkProps = AnchorHTMLAttributes<HTMLAnchorElement> & {
  to: string;
  /** The pool the link leads to (null: the default pool); by default the pool of the page it is on. */
  pool?: string | null;
};

/** A link within the site; it stays in the pool the visitor picked unless `pool` says otherwise. */
export function Link({ to, pool, onClick, ...rest }: LinkProps) {
  const { query } = useLocation();
  const href = withPool(to, pool === undefined ? poolOf(query) : pool);
  const handle = (e: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(href);
  };
  return <a href={href} onClick={handle} {...rest} />;
}
