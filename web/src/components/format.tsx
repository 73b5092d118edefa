// Small display pieces used on every page: exact ERG, hashrates, times (relative with the absolute
// time beside or on hover), addresses and outside links.
import type { ReactNode } from 'react';
import {
  formatAbsolute,
  formatErg,
  formatErgExact,
  formatHashrate,
  formatRelative,
  shortAddress,
} from '../lib/format.ts';
import { useNow } from '../lib/hooks.ts';
import { Link } from '../lib/router.tsx';

export function Erg({
  value,
  decimals = 4,
  unit = true,
}: {
  value: string | null;
  decimals?: number;
  unit?: boolean;
}) {
  if (value == null) return <span className="muted">—</span>;
  let text: string;
  let exact: string;
  try {
    text = formatErg(value, { maxDecimals: decimals });
    exact = formatErgExact(value);
  } catch {
    return <span className="muted">—</span>;
  }
  return (
    <span className="num" title={`${exact} ERG`}>
      {text}
      {unit && <span className="unit"> ERG</span>}
    </span>
  );
}

export function Hashrate({ value }: { value: number | null | undefined }) {
  return <span className="num">{formatHashrate(value)}</span>;
}

/** "5 min ago" with the UTC time as a tooltip, or both on two lines with `both`. */
export function TimeAgo({ iso, both = false }: { iso: string | null | undefined; both?: boolean }) {
  const now = useNow();
  if (!iso) return <span className="muted">—</span>;
  const absolute = formatAbsolute(iso);
  return (
    <time dateTime={iso} title={absolute} className="time">
      {formatRelative(iso, now)}
      {both && <span className="absolute">{absolute}</span>}
    </time>
  );
}

export function MinerLink({ address, full = false }: { address: string; full?: boolean }) {
  if (address.startsWith('@')) return <span>{address}</span>;
  return (
    <Link to={`/miner/${encodeURIComponent(address)}`} className="mono" title={address}>
      {full ? address : shortAddress(address)}
    </Link>
  );
}

export function External({
  href,
  children,
  label,
}: {
  href: string | null;
  children: ReactNode;
  label?: string;
}) {
  if (!href) return <>{children}</>;
  return (
    <a href={href} target="_blank" rel="noopener noreferrer" aria-label={label}>
      {children}
      <span aria-hidden="true" className="ext">
        ↗
      </span>
    </a>
  );
}
