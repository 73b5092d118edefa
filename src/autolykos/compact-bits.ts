/**
 * Ergo's "nBits": difficulty in Bitcoin's compact MPI form (node RequiredDifficulty / DifficultySerializer).
 * Exponent byte = byte length of the two's-complement value; 3 mantissa bytes; 0x00800000 is the sign bit.
 */
export function decodeCompactBits(nBits: number | bigint): bigint {
  const compact = BigInt(nBits);
  if (compact < 0n || compact > 0xffffffffn) throw new RangeError(`nBits must be a uint32, got ${compact}`);
  const size = Number((compact >> 24n) & 0xffn);
  if (size === 0) return 0n;
  if ((compact & 0x00800000n) !== 0n) throw new RangeError(`nBits ${compact} encodes a negative difficulty`);
  const mantissa = compact & 0x007fffffn;
  return size <= 3 ? mantissa >> BigInt(8 * (3 - size)) : mantissa << BigInt(8 * (size - 3));
}

export function encodeCompactBits(difficulty: bigint): number {
  if (difficulty < 0n) throw new RangeError('difficulty must not be negative');
  // Length of Java's BigInteger.toByteArray() for a non-negative value (one sign bit included).
  let size = Math.floor(difficulty.toString(2).length / 8) + 1;
  if (difficulty === 0n) size = 1;
  let result = size <= 3 ? difficulty << BigInt(8 * (3 - size)) : difficulty >> BigInt(8 * (size - 3));
  if ((result & 0x00800000n) !== 0n) {
    result >>= 8n;
    size += 1;
  }
  return Number(result | (BigInt(size) << 24n));
}
