// Where the pool's API is. Same origin by default (the pool serves this site itself); for a CDN or
// another static host the operator sets `apiBase` in config.js (edited after the build) or
// VITE_API_BASE at build time.

interface SiteConfig {
  apiBase?: string;
}

declare global {
  interface Window {
    ENIGMAPOOL_CONFIG?: SiteConfig;
  }
}

export function apiBase(): string {
  const fromFile = typeof window !== 'undefined' ? window.ENIGMAPOOL_CONFIG?.apiBase : undefined;
  const base = fromFile || import.meta.env.VITE_API_BASE || '';
  return base.replace(/\/+$/, '');
}

/** The websocket URL for a path, on the API's host (ws:// or wss:// to match http:// or https://). */
export function websocketUrl(path: string): string {
  const base = apiBase();
  const origin = base ? new URL(base, window.location.href) : new URL(window.location.href);
  const scheme = origin.protocol === 'https:' ? 'wss:' : 'ws:';
  const prefix = base ? origin.pathname.replace(/\/+$/, '') : '';
  return `${scheme}//${origin.host}${prefix}${path}`;
}
