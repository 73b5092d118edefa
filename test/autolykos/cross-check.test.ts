import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  blake2b256,
  bytesToHex,
  createReferenceKernel,
  loadKernel,
  nativeBlake2b256,
  nativeKernels,
  nativeLoadError,
  type PowInput,
  packBatch,
} from '../../src/autolykos/index.ts';

const RANDOM_CHECKS = 10_000;

/** Heights across every regime: before N grows, while it grows, around and far past the node's cap. */
function randomHeight(k: number): number {
  const r = randomBytes(4).readUInt32BE();
  switch (k % 6) {
    case 0:
      return r % 614_400;
    case 1:
      return 614_400 + (r % (4_198_400 - 614_400));
    case 2:
      return 4_198_400 + (r % 102_400) - 51_200;
    case 3:
      return 4_249_600 + (r % 5_000_000);
    case 4:
      return r >>> 1;
    default:
      return [
        0,
        614_399,
        614_400,
        4_198_399,
        4_198_400,
        4_249_599,
        4_249_600,
        9_216_000,
        2 ** 31 - 1,
        2 ** 32 - 1,
      ][r % 10]!;
  }
}

describe('native kernels agree with the reference', () => {
  it('the native addon is built (required in CI)', () => {
    if (process.env.CI)
      assert.ok(nativeKernels().length > 0, `native addon missing in CI: ${nativeLoadError()}`);
    assert.ok(nativeKernels().length === 0 || nativeKernels().includes('scalar'));
  });

  const inputs: PowInput[] = Array.from({ length: RANDOM_CHECKS }, (_, k) => ({
    msg: randomBytes(32),
    nonce: randomBytes(8),
    height: randomHeight(k),
  }));
  const batch = packBatch(inputs);

  it(`computes ${RANDOM_CHECKS} random reference hits`, async () => {
    const reference = await createReferenceKernel();
    const expected = new Uint8Array(32 * RANDOM_CHECKS);
    reference.hits(batch, expected);
    for (const name of nativeKernels()) {
      const kernel = await loadKernel(name);
      // Mixed batch sizes exercise partial SIMD groups and the per-call setup.
      const got = new Uint8Array(32 * RANDOM_CHECKS);
      for (let from = 0, size = 1; from < RANDOM_CHECKS; from += size, size = (size % 97) + 1) {
        const to = Math.min(RANDOM_CHECKS, from + size);
        kernel.hits(packBatch(inputs.slice(from, to)), got.subarray(32 * from, 32 * to));
      }
      for (let k = 0; k < RANDOM_CHECKS; k++) {
        const a = bytesToHex(got.subarray(32 * k, 32 * k + 32));
        const b = bytesToHex(expected.subarray(32 * k, 32 * k + 32));
        if (a !== b) assert.fail(`${name} differs at check ${k} (height ${inputs[k]!.height}): ${a} != ${b}`);
      }
    }
  });

  it('native BLAKE2b-256 equals @noble/hashes for lengths around block boundaries', () => {
    if (nativeKernels().length === 0) return;
    for (const length of [0, 1, 31, 32, 71, 127, 128, 129, 255, 256, 257, 1000, 8200, 8192 + 128]) {
      const data = randomBytes(length);
      assert.equal(bytesToHex(nativeBlake2b256(data)), bytesToHex(blake2b256(data)), `length ${length}`);
    }
  });

  it('the addon refuses inconsistent buffers instead of reading out of bounds', async () => {
    if (nativeKernels().length === 0) return;
    const kernel = await loadKernel('best');
    const good = packBatch(inputs.slice(0, 2));
    assert.throws(() => kernel.hits({ ...good, count: 3 }, new Uint8Array(96)), RangeError);
    assert.throws(() => kernel.hits(good, new Uint8Array(63)), RangeError);
  });
});
