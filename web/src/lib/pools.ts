// The deployment's pools (GET /api/v1/pools) and the one the visitor picked (?pool=…, default: the default
// pool), for the switcher, the home page's list and the per-pool pages.
import { useApi } from './hooks.ts';
import { poolOf } from './pool-param.ts';
import { useLocation } from './router.tsx';
import type { Pool } from './types.ts';

export interface PoolChoice {
  /** Every pool, the default first (undefined until known; one pool from an API of before several pools). */
  pools: Pool[] | undefined;
  /** The pool in the URL (null: none, the default pool). */
  picked: string | null;
  /** The pool whose pages are shown (undefined until the list is known, or for an id that is not a pool). */
  current: Pool | undefined;
  /** The pool in the URL is not one of the pools. */
  unknown: boolean;
}

export function usePools(): PoolChoice {
  const list = useApi<{ items: Pool[] }>('/pools', ['pool'], 'deployment');
  const { query } = useLocation();
  const picked = poolOf(query);
  const pools = list.data?.items ?? (list.error ? [] : undefined);
  const current = pools?.find((p) => (picked ? p.id === picked : p.default));
  return {
    pools,
    picked,
    current,
    unknown: picked !== null && pools !== undefined && pools.length > 0 && !current,
  };
}

/** The id to put in the URL for a pool: none for the default pool (its bookmarks stay as they were). */
export function poolParamFor(pool: Pool): string | null {
  return pool.default ? null : pool.id;
}
