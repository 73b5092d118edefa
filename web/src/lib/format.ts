// Pure formatting for what the site shows. ERG is exact: amounts arrive as decimal strings and are
// handled as integer nanoERG (bigint) — a float never touches a displayed amount.

const NANO_PER_ERG = 1_000_000_000n;
const ERG_RE = /^(-)?(\d+)(?:\.(\d{1,9}))?$/;

/** "1.5" → 1500000000n; throws on anything that is not a decimal with at most 9 decimals. */
export function parseNanoErg(value: string): bigint {
  const m = ERG_RE.exec(value.trim());
  if (!m) throw new Error(`not an ERG amount: ${JSON.stringify(value)}`);
  const nano = BigInt(m[2]!) * NANO_PER_ERG + BigInt((m[3] ?? '').padEnd(9, '0'));
  return m[1] && nano !== 0n ? -nano : nano;
}

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export interface ErgFormat {
  /** at most this many decimals, rounded half away from zero (default 4) */
  maxDecimals?: number;
  /** at least this many decimals (default 2, never more than maxDecimals) */
  minDecimals?: number;
}

/**
 * ERG for people: thousands grouped, rounded to `maxDecimals`, trailing zeros trimmed down to
 * `minDecimals`. A non-zero amount that rounds to zero shows as "<0.0001" rather than "0".
 */
export function formatErg(value: string | bigint, format: ErgFormat = {}): string {
  const maxDecimals = Math.min(9, Math.max(0, format.maxDecimals ?? 4));
  const minDecimals = Math.min(maxDecimals, Math.max(0, format.minDecimals ?? 2));
  const nano = typeof value === 'bigint' ? value : parseNanoErg(value);
  const negative = nano < 0n;
  const abs = negative ? -nano : nano;
  const unit = 10n ** BigInt(9 - maxDecimals);
  const scaled = (abs + unit / 2n) / unit;
  if (scaled === 0n && abs !== 0n) {
    const smallest = maxDecimals === 0 ? '1' : `0.${'1'.padStart(maxDecimals, '0')}`;
    return `${negative ? '-' : ''}<${smallest}`;
  }
  const scale = 10n ** BigInt(maxDecimals);
  const whole = groupThousands((scaled / scale).toString());
  let fraction = maxDecimals === 0 ? '' : (scaled % scale).toString().padStart(maxDecimals, '0');
  while (fraction.length > minDecimals && fraction.endsWith('0')) fraction = fraction.slice(0, -1);
  const sign = negative && scaled !== 0n ? '-' : '';
  return `${sign}${whole}${fraction ? `.${fraction}` : ''}`;
}

/** Every decimal the API sent (up to 9), trailing zeros trimmed: for tooltips and copy. */
export function formatErgExact(value: string | bigint): string {
  return formatErg(value, { maxDecimals: 9, minDecimals: 0 });
}

const HASHRATE_UNITS = ['H/s', 'kH/s', 'MH/s', 'GH/s', 'TH/s', 'PH/s', 'EH/s'];

/** Three significant digits with an SI unit: 1234 → "1.23 kH/s". */
export function formatHashrate(hashesPerSecond: number | null | undefined): string {
  if (hashesPerSecond == null || !Number.isFinite(hashesPerSecond) || hashesPerSecond < 0) return '—';
  if (hashesPerSecond === 0) return '0 H/s';
  return withSiUnit(hashesPerSecond, HASHRATE_UNITS);
}

function withSiUnit(value: number, units: string[]): string {
  let index = 0;
  let scaled = value;
  while (scaled >= 1000 && index < units.length - 1) {
    scaled /= 1000;
    index++;
  }
  // 999.96 rounds to "1000": carry into the next unit instead.
  if (Number(scaled.toPrecision(3)) >= 1000 && index < units.length - 1) {
    scaled /= 1000;
    index++;
  }
  const digits = scaled >= 100 ? 0 : scaled >= 10 ? 1 : 2;
  const text = index === 0 && Number.isInteger(scaled) ? String(scaled) : scaled.toFixed(digits);
  return units[index] ? `${text} ${units[index]}` : text;
}

const DIFFICULTY_UNITS = ['', 'k', 'M', 'G', 'T', 'P', 'E', 'Z'];

/** A network difficulty (integer string, the node's unit) compactly: "1520000000000000" → "1.52 P". */
export function formatDifficulty(value: string | null | undefined): string {
  if (value == null || !/^\d+(\.\d+)?$/.test(value)) return '—';
  const n = Number(value);
  if (n < 1000) return value;
  return withSiUnit(n, DIFFICULTY_UNITS).trimEnd();
}

/** Effort or luck (1 = 100 %): "123.4 %". */
export function formatPercent(ratio: number | null | undefined, decimals = 1): string {
  if (ratio == null || !Number.isFinite(ratio)) return '—';
  return `${(ratio * 100).toFixed(decimals)} %`;
}

/** Whole numbers grouped: 12345 → "12,345". */
export function formatCount(n: number | null | undefined): string {
  if (n == null || !Number.isFinite(n)) return '—';
  return groupThousands(String(Math.round(n)));
}

/** "just now", "12 s ago", "5 min ago", "3 h ago", "2 d ago" (or "in 5 min" for the future). */
export function formatRelative(iso: string | null | undefined, nowMs: number): string {
  if (!iso) return '—';
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return '—';
  const seconds = Math.round((nowMs - at) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 5) return 'just now';
  const text =
    abs < 60
      ? `${abs} s`
      : abs < 3600
        ? `${Math.floor(abs / 60)} min`
        : abs < 86_400
          ? `${Math.floor(abs / 3600)} h`
          : `${Math.floor(abs / 86_400)} d`;
  return seconds > 0 ? `${text} ago` : `in ${text}`;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** "2026-12-01 20:15:00 UTC": the same for every visitor, whatever their time zone. */
export function formatAbsolute(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  return (
    `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ` +
    `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())} UTC`
  );
}

/** 90 → "1 min 30 s", 600 → "10 min", 5400 → "1 h 30 min", 172800 → "2 d". */
export function formatDuration(totalSeconds: number | null | undefined): string {
  if (totalSeconds == null || !Number.isFinite(totalSeconds) || totalSeconds < 0) return '—';
  const s = Math.round(totalSeconds);
  const parts: [number, string][] = [
    [Math.floor(s / 86_400), 'd'],
    [Math.floor((s % 86_400) / 3600), 'h'],
    [Math.floor((s % 3600) / 60), 'min'],
    [s % 60, 's'],
  ];
  const first = parts.findIndex(([n]) => n > 0);
  if (first === -1) return '0 s';
  return parts
    .slice(first, first + 2)
    .filter(([n]) => n > 0)
    .map(([n, unit]) => `${n} ${unit}`)
    .join(' ');
}

/** "9fiKBhqDi8VHrEMnWcXhVR8uxa5Ys1jeVWh3kpJdBCiLd7bYQag" → "9fiKBh…bYQag". */
export function shortAddress(address: string, head = 6, tail = 5): string {
  return address.length <= head + tail + 1 ? address : `${address.slice(0, head)}…${address.slice(-tail)}`;
}

/** Fills an explorer template such as "https://explorer/en/addresses/{address}". */
export function fillTemplate(
  template: string | null | undefined,
  values: Record<string, string>,
): string | null {
  if (!template) return null;
  let missing = false;
  const url = template.replace(/\{(\w+)\}/g, (_, key: string) => {
    const value = values[key];
    if (value === undefined) missing = true;
    return encodeURIComponent(value ?? '');
  });
  return missing ? null : url;
}

const BASE58 = /^[1-9A-HJ-NP-Za-km-z]+$/;

/**
 * A first check in the search box (the API does the real one, with the checksum): base58 and a
 * plausible length. Returns the trimmed address, or null with nothing to look up.
 */
export function searchableAddress(input: string): string | null {
  const s = input.trim();
  return s.length >= 30 && s.length <= 120 && BASE58.test(s) ? s : null;
}
