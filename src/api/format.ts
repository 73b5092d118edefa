import { ergText } from '../accounting/index.ts';

/** Conversions at the API's edge: exact ERG text, ISO times, explorer links. */

/** nanoERG → exact ERG text ("1.5"). */
export function erg(nano: bigint | string | number): string {
  return ergText(BigInt(nano));
}

/** nanoERG → ERG as a JSON number (miningcore's routes); 9 decimals survive a double up to 9·10⁶ ERG. */
export function ergNumber(nano: bigint | string | number): number {
  return Number(ergText(BigInt(nano)));
}

export function iso(t: Date | number | null | undefined): string | null {
  if (t === null || t === undefined) return null;
  return new Date(t).toISOString();
}

/** An explorer link from a template with {address}, {tx} or {block}; null without a value. */
export function link(template: string, values: Record<string, string | null | undefined>): string | null {
  let missing = false;
  const out = template.replace(/\{(\w+)\}/g, (_m, key: string) => {
    const v = values[key];
    if (v === null || v === undefined || v === '') missing = true;
    return encodeURIComponent(v ?? '');
  });
  return missing ? null : out;
}

/** A decimal number kept as text (numeric columns) → a JS number, null stays null. */
export function numeric(value: string | number | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

export function pageCount(total: number, pageSize: number): number {
  return Math.ceil(total / pageSize);
}

/** One page of an /api/v1 list: the items and where they are (pageCount rounds a partial page up). */
export function paged<T>(items: T[], page: number, pageSize: number, total: number) {
  return { items, page, pageSize, total, pageCount: pageCount(total, pageSize) };
}
