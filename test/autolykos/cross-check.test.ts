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

/** CI (.ci/run) sets this, as for the build: there a missing native addon is a failure, not a fallback. */
const REQUIRED = process.env.AUTOLYKOS_REQUIRE_NATIVE === '1';
const KERNELS = nativeKernels();

describe('the native addon', () => {
  const name = REQUIRED
    ? 'is built and offers the scalar kernel (required: AUTOLYKOS_REQUIRE_NATIVE=1)'
    : 'is built and offers the scalar kernel, or its absence is reported (not required)';
  it(name, (t) => {
    if (KERNELS.length === 0 && !REQUIRED) {
      // A machine without a C++ toolchain checks shares with the portable kernel (the reference): the
      // cross-checks below then do not exist, and this says so in the test output.
      t.diagnostic(`native addon unavailable (${nativeLoadError()}): no native kernel was cross-checked`);
      return;
    }
    assert.ok(KERNELS.length > 0, `native addon missing: ${nativeLoadError()}`);
    assert.ok(KERNELS.includes('scalar'), `kernels: ${KERNELS.join(', ')}`);
  });
});

// One test per native kernel this CPU runs, so the output names exactly what was compared.
describe('native kernels agree with the reference', () => {
  const inputs: PowInput[] = Array.from({ length: RANDOM_CHECKS }, (_, k) => ({
    msg: randomBytes(32),
    nonce: randomBytes(8),
    height: randomHeight(k),
  }));
  let expected: Uint8Array | undefined;
  const referenceHits = async () => {
    if (!expected) {
      expected = new Uint8Array(32 * RANDOM_CHECKS);
      (await createReferenceKernel()).hits(packBatch(inputs), expected);
    }
    return expected;
  };

  for (const name of KERNELS) {
    it(`${name}: ${RANDOM_CHECKS} random hits equal the reference's, in batches of 1 to 97`, async () => {
      const want = await referenceHits();
      const kernel = await loadKernel(name);
      assert.equal(kernel.name, name);
      // Mixed batch sizes exercise partial SIMD groups and the per-call setup.
      const got = new Uint8Array(32 * RANDOM_CHECKS);
      for (let from = 0, size = 1; from < RANDOM_CHECKS; from += size, size = (size % 97) + 1) {
        const to = Math.min(RANDOM_CHECKS, from + size);
        kernel.hits(packBatch(inputs.slice(from, to)), got.subarray(32 * from, 32 * to));
      }
      for (let k = 0; k < RANDOM_CHECKS; k++) {
        const a = bytesToHex(got.subarray(32 * k, 32 * k + 32));
        const b = bytesToHex(want.subarray(32 * k, 32 * k + 32));
        if (a !== b) assert.fail(`${name} differs at check ${k} (height ${inputs[k]!.height}): ${a} != ${b}`);
      }
    });
  }

  if (KERNELS.length > 0) {
    it('native BLAKE2b-256 equals @noble/hashes for lengths around block boundaries', () => {
      for (const length of [0, 1, 31, 32, 71, 127, 128, 129, 255, 256, 257, 1000, 8200, 8192 + 128]) {
        const data = randomBytes(length);
        assert.equal(bytesToHex(nativeBlake2b256(data)), bytesToHex(blake2b256(data)), `length ${length}`);
      }
    });

    it('the addon refuses inconsistent buffers instead of reading out of bounds', async () => {
      const kernel = await loadKernel('best');
      assert.ok(KERNELS.includes(kernel.name as (typeof KERNELS)[number]), kernel.name);
      const good = packBatch(inputs.slice(0, 2));
      assert.throws(() => kernel.hits({ ...good, count: 3 }, new Uint8Array(96)), RangeError);
      assert.throws(() => kernel.hits(good, new Uint8Array(63)), RangeError);
    });
  }
});
