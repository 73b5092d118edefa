/** A pool address as miners write it: stratum+tcp://host:port or stratum+ssl://host:port. */
export interface PoolUrl {
  host: string;
  port: number;
  tls: boolean;
}

export function parsePoolUrl(text: string): PoolUrl {
  const m =
    /^(stratum\+tcp|stratum\+ssl|stratum\+tls|tcp|ssl|tls|stratum):\/\/(\[[0-9a-fA-F:]+\]|[^:/]+):(\d{1,5})\/?$/.exec(
      text.trim(),
    );
  if (!m)
    throw new RangeError(
      `pool url "${text}" must look like stratum+tcp://host:port or stratum+ssl://host:port`,
    );
  const port = Number(m[3]);
  if (port < 1 || port > 65535) throw new RangeError(`pool url "${text}" has an invalid port`);
  const host = m[2]!.replace(/^\[|\]$/g, '');
  return { host, port, tls: /ssl|tls/.test(m[1]!) };
}
