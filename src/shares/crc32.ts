import * as zlib from 'node:zlib';

/** CRC-32 (IEEE 802.3, the zip/PNG one), table-driven; the reference for zlib.crc32 where Node has it. */
const TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32Reference(data: Uint8Array, previous = 0): number {
  let c = ~previous >>> 0;
  for (let i = 0; i < data.length; i++) c = TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

type Crc32 = (data: Uint8Array, previous?: number) => number;
const native = (zlib as unknown as { crc32?: Crc32 }).crc32;

/** zlib's native CRC-32 (Node ≥ 20.15) or the table version; the same function either way. */
export const crc32: Crc32 = native ? (data, previous = 0) => native(data, previous) : crc32Reference;
