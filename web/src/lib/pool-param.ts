// Pure: which pool the visitor picked — the `pool` query parameter, so every page of every pool can be
// bookmarked (`/blocks?pool=solo`); none means the default pool, whose routes are also served unprefixed.

export const POOL_PARAM = 'pool';

/** The pool named in a query string, or null (the default pool). */
export function poolOf(query: URLSearchParams): string | null {
  const id = query.get(POOL_PARAM);
  return id ? id : null;
}

/** The pool of the page the browser shows now. */
export function currentPool(): string | null {
  return typeof window === 'undefined' ? null : poolOf(new URLSearchParams(window.location.search));
}

/**
 * An /api/v1 path of a pool: `/pools/solo/stats` for a picked pool, `/stats` (the same answers) for the
 * default pool.
 */
export function apiPath(path: string, pool: string | null): string {
  return pool ? `/pools/${encodeURIComponent(pool)}${path}` : path;
}

/** A site path with the pool parameter set to `pool` (null: removed, the default pool). */
export function withPool(to: string, pool: string | null): string {
  const at = to.indexOf('?');
  const path = at < 0 ? to : to.slice(0, at);
  const query = new URLSearchParams(at < 0 ? '' : to.slice(at + 1));
  if (pool) query.set(POOL_PARAM, pool);
  else query.delete(POOL_PARAM);
  const s = query.toString();
  return s ? `${path}?${s}` : path;
}
