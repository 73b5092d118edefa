/**
 * Values in and out, made the same on both engines (see `Sql`). PGlite parses int8 as a number when it is a
 * safe integer and as a bigint otherwise, and bytea as a bare Uint8Array; node-postgres parses int8 as text and
 * date as a local-midnight Date. Both are overridden so callers see one set of types.
 */

export const OID = {
  bytea: 17,
  int8: 20,
  date: 1082,
  int8Array: 1016,
} as const;

export const parseInt8 = (text: string): bigint => BigInt(text);

export const parseBytea = (text: string): Buffer => {
  if (text.startsWith('\\x')) return Buffer.from(text.slice(2), 'hex');
  throw new Error('bytea in escape format is not supported (bytea_output must be hex)');
};

export const parseDate = (text: string): string => text;

/** Applies `fn` to every leaf of a (possibly nested) array as parsed by a driver's array parser. */
export function mapArray<T>(value: unknown, fn: (leaf: string) => T): unknown {
  if (Array.isArray(value)) return value.map((v) => mapArray(v, fn));
  if (value === null) return null;
  return typeof value === 'bigint' ? value : fn(String(value));
}

/**
 * Query parameters for both drivers: bigint → decimal text (also inside arrays; the server casts it to the
 * parameter's type), undefined → null. Buffers, Dates, booleans and objects (json) pass through.
 */
export function normaliseParams(params: unknown[] | undefined): unknown[] | undefined {
  if (params === undefined) return undefined;
  return params.map(normaliseParam);
}

function normaliseParam(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map(normaliseParam);
  return value;
}

/** The database location for logs and errors: `postgres://user:********@host:5432/db`. */
export function maskUrl(url: string): string {
  return url
    .replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@/?#]*):[^/?#]*@/i, '$1:********@')
    .replace(/([?&]password=)[^&]*/gi, '$1********');
}
