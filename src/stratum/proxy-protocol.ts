/**
 * PROXY protocol v1 (text) and v2 (binary) headers, as HAProxy sends them in front of a stratum port.
 * Parsing is pure: give it the first bytes of a connection, get the real client address and the bytes
 * consumed, "need more bytes", or a reason to refuse.
 */
export type ProxyParse =
  | { status: 'ok'; consumed: number; sourceAddress: string | null; sourcePort: number | null }
  | { status: 'incomplete' }
  | { status: 'invalid'; reason: string }
  | { status: 'absent' };

const V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
const V1_PREFIX = Buffer.from('PROXY ');
const V1_MAX = 107;

export function parseProxyHeader(data: Buffer): ProxyParse {
  if (startsWithPartial(data, V2_SIGNATURE))
    return data.length < 16 ? { status: 'incomplete' } : parseV2(data);
  if (startsWithPartial(data, V1_PREFIX))
    return data.length < V1_PREFIX.length ? { status: 'incomplete' } : parseV1(data);
  return { status: 'absent' };
}

function startsWithPartial(data: Buffer, prefix: Buffer): boolean {
  const n = Math.min(data.length, prefix.length);
  return n > 0 && data.subarray(0, n).equals(prefix.subarray(0, n));
}

function parseV1(data: Buffer): ProxyParse {
  const end = data.indexOf('\r\n');
  if (end < 0)
    return data.length >= V1_MAX
      ? { status: 'invalid', reason: 'PROXY v1 line too long' }
      : { status: 'incomplete' };
  const parts = data.subarray(0, end).toString('latin1').split(' ');
  const consumed = end + 2;
  if (parts[1] === 'UNKNOWN') return { status: 'ok', consumed, sourceAddress: null, sourcePort: null };
  if (parts.length !== 6 || (parts[1] !== 'TCP4' && parts[1] !== 'TCP6'))
    return { status: 'invalid', reason: 'malformed PROXY v1 line' };
  const port = Number(parts[4]);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    return { status: 'invalid', reason: 'bad PROXY v1 source port' };
  if (!isIp(parts[2]!, parts[1] === 'TCP4' ? 4 : 6))
    return { status: 'invalid', reason: 'bad PROXY v1 source address' };
  return { status: 'ok', consumed, sourceAddress: parts[2]!, sourcePort: port };
}

function parseV2(data: Buffer): ProxyParse {
  if (!data.subarray(0, 12).equals(V2_SIGNATURE))
    return { status: 'invalid', reason: 'bad PROXY v2 signature' };
  const versionCommand = data[12]!;
  if (versionCommand >> 4 !== 2) return { status: 'invalid', reason: 'unsupported PROXY version' };
  const length = data.readUInt16BE(14);
  if (data.length < 16 + length) return { status: 'incomplete' };
  const consumed = 16 + length;
  const command = versionCommand & 0x0f;
  if (command === 0) return { status: 'ok', consumed, sourceAddress: null, sourcePort: null }; // LOCAL (health check)
  if (command !== 1) return { status: 'invalid', reason: 'unknown PROXY v2 command' };
  const family = data[13]! >> 4;
  const body = data.subarray(16, consumed);
  if (family === 1 && body.length >= 12) {
    return {
      status: 'ok',
      consumed,
      sourceAddress: [...body.subarray(0, 4)].join('.'),
      sourcePort: body.readUInt16BE(8),
    };
  }
  if (family === 2 && body.length >= 36) {
    const groups = Array.from({ length: 8 }, (_, k) => body.readUInt16BE(2 * k).toString(16));
    return { status: 'ok', consumed, sourceAddress: compressIpv6(groups), sourcePort: body.readUInt16BE(32) };
  }
  if (family === 0 || family === 3) return { status: 'ok', consumed, sourceAddress: null, sourcePort: null };
  return { status: 'invalid', reason: 'bad PROXY v2 address block' };
}

function isIp(text: string, version: 4 | 6): boolean {
  if (version === 4)
    return /^(\d{1,3})(\.\d{1,3}){3}$/.test(text) && text.split('.').every((p) => Number(p) <= 255);
  return /^[0-9a-fA-F:.]+$/.test(text) && text.includes(':');
}

function compressIpv6(groups: string[]): string {
  const text = groups.join(':');
  const match = text.match(/(^|:)0(:0)+(:|$)/g);
  if (!match) return text;
  const longest = match.reduce((a, b) => (b.length > a.length ? b : a));
  return text.replace(longest, '::');
}

/** Builds a PROXY v2 header (for tests and the load generator). */
export function proxyV2Header(
  sourceAddress: string,
  sourcePort: number,
  destAddress: string,
  destPort: number,
): Buffer {
  const body = Buffer.alloc(12);
  for (const [k, p] of sourceAddress.split('.').entries()) body.writeUInt8(Number(p), k);
  for (const [k, p] of destAddress.split('.').entries()) body.writeUInt8(Number(p), 4 + k);
  body.writeUInt16BE(sourcePort, 8);
  body.writeUInt16BE(destPort, 10);
  const head = Buffer.alloc(4);
  head[0] = 0x21;
  head[1] = 0x11;
  head.writeUInt16BE(body.length, 2);
  return Buffer.concat([V2_SIGNATURE, head, body]);
}
