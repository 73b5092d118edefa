import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  blockTarget,
  bytesToHex,
  calcN,
  computeHit,
  decodeCompactBits,
  encodeCompactBits,
  headerBytesWithoutPow,
  headerIdHex,
  headerMsg,
  hexToBytes,
  isBlockSolution,
  loadKernel,
  nativeKernels,
} from '../../src/autolykos/index.ts';
import {
  headerVectors,
  hitVectors,
  LOCAL_VECTOR_DIR,
  NODE_SPEC_VECTOR,
  nTable,
  SHARED_VECTOR_DIR,
} from '../fixtures/vectors.ts';

const kernelNames = ['reference', ...nativeKernels()] as const;

describe('shared Ergo vectors', () => {
  it('the local copy matches ../shared when it is present', () => {
    for (const name of ['headers.json', 'pow-random.json']) {
      if (!existsSync(`${SHARED_VECTOR_DIR}${name}`)) continue;
      assert.equal(
        readFileSync(`${LOCAL_VECTOR_DIR}${name}`, 'utf8'),
        readFileSync(`${SHARED_VECTOR_DIR}${name}`, 'utf8'),
      );
    }
  });

  it('has vectors to check', () => {
    assert.ok(headerVectors.length >= 16);
    assert.ok(hitVectors.length >= 40);
    assert.ok(nTable.length >= 15);
    assert.ok(
      headerVectors.some((v) => !v.expect.validPow),
      'includes an invalid PoW',
    );
  });

  it('calcN follows the node for every N table entry', () => {
    for (const { height, N } of nTable) assert.equal(calcN(height), N, `height ${height}`);
    assert.equal(calcN(NODE_SPEC_VECTOR.height), NODE_SPEC_VECTOR.N);
  });

  for (const v of headerVectors) {
    describe(`${v.network} header ${v.header.height} (${v.note})`, () => {
      it('serializes without PoW, hashes to msg and id', () => {
        assert.equal(bytesToHex(headerBytesWithoutPow(v.header)), v.expect.headerBytesWithoutPowHex);
        assert.equal(bytesToHex(headerMsg(v.header)), v.expect.msg);
        assert.equal(headerIdHex(v.header), v.expect.id);
        if (v.expect.validPow) assert.equal(v.expect.id, v.header.id);
      });

      it('decodes nBits to the difficulty and b', () => {
        const difficulty = decodeCompactBits(v.header.nBits);
        assert.equal(difficulty.toString(), v.expect.difficulty);
        assert.equal(difficulty.toString(), v.header.difficulty);
        assert.equal(encodeCompactBits(difficulty), v.header.nBits);
        assert.equal(blockTarget(difficulty).toString(), v.expect.b);
        assert.equal(calcN(v.header.height), v.expect.N);
      });

      for (const name of kernelNames) {
        it(`hit and validity with the ${name} kernel`, async () => {
          const kernel = await loadKernel(name);
          const hit = computeHit(kernel, {
            msg: hexToBytes(v.expect.msg, 'msg', 32),
            nonce: hexToBytes(v.header.powSolutions.n, 'nonce', 8),
            height: v.header.height,
          });
          assert.equal(hit.toString(16).padStart(64, '0'), v.expect.hit);
          assert.equal(isBlockSolution(hit, BigInt(v.expect.b)), v.expect.validPow);
        });
      }
    });
  }

  for (const name of kernelNames) {
    it(`every random hit vector and the node spec vector with the ${name} kernel`, async () => {
      const kernel = await loadKernel(name);
      for (const v of [...hitVectors, NODE_SPEC_VECTOR]) {
        assert.equal(calcN(v.height), v.N);
        const hit = computeHit(kernel, {
          msg: hexToBytes(v.msg, 'msg', 32),
          nonce: hexToBytes(v.nonce, 'nonce', 8),
          height: v.height,
        });
        assert.equal(
          hit.toString(16).padStart(64, '0'),
          v.hit,
          `msg ${v.msg} nonce ${v.nonce} height ${v.height}`,
        );
      }
      const spec = computeHit(kernel, {
        msg: hexToBytes(NODE_SPEC_VECTOR.msg, 'msg'),
        nonce: hexToBytes(NODE_SPEC_VECTOR.nonce, 'nonce'),
        height: NODE_SPEC_VECTOR.height,
      });
      assert.ok(isBlockSolution(spec, NODE_SPEC_VECTOR.b));
    });
  }
});
