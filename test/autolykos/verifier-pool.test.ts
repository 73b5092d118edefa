import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  computeHits,
  createReferenceKernel,
  hexToBytes,
  type PowInput,
  VerifierOverloadedError,
  VerifierPool,
} from '../../src/autolykos/index.ts';
import { hitVectors } from '../fixtures/vectors.ts';

describe('verifier pool', () => {
  let pool: VerifierPool;
  before(async () => {
    pool = await VerifierPool.start({ workers: 2, maxQueue: 1000, maxBatch: 16 });
  });
  after(() => pool.close());

  it('starts the requested workers with a kernel', () => {
    assert.equal(pool.workerCount, 2);
    assert.ok(['avx512', 'avx2', 'scalar', 'reference'].includes(pool.kernelName));
  });

  it('answers every vector correctly, concurrently', async () => {
    const hits = await Promise.all(
      hitVectors.map((v) =>
        pool.verify({ msg: hexToBytes(v.msg, 'msg'), nonce: hexToBytes(v.nonce, 'nonce'), height: v.height }),
      ),
    );
    for (const [k, hit] of hits.entries())
      assert.equal(hit.toString(16).padStart(64, '0'), hitVectors[k]!.hit);
  });

  it('matches the reference on 500 random checks sent in bursts', async () => {
    const inputs: PowInput[] = Array.from({ length: 500 }, (_, k) => ({
      msg: randomBytes(32),
      nonce: randomBytes(8),
      height: 1_000_000 + k * 7919,
    }));
    const expected = computeHits(await createReferenceKernel(), inputs);
    const got = await Promise.all(inputs.map((input) => pool.verify(input)));
    assert.deepEqual(got, expected);
  });

  it('refuses work beyond its bounded queue and recovers', async () => {
    const small = await VerifierPool.start({
      workers: 1,
      maxQueue: 10,
      maxBatch: 1,
      maxInFlightPerWorker: 1,
    });
    try {
      const input = { msg: randomBytes(32), nonce: randomBytes(8), height: 1_500_000 };
      const results = await Promise.allSettled(Array.from({ length: 40 }, () => small.verify(input)));
      const refused = results.filter((r) => r.status === 'rejected');
      assert.ok(refused.length > 0, 'some checks are refused');
      for (const r of refused)
        assert.ok((r as PromiseRejectedResult).reason instanceof VerifierOverloadedError);
      assert.ok(results.filter((r) => r.status === 'fulfilled').length >= 10);
      await small.whenQueueBelow(0);
      assert.equal(typeof (await small.verify(input)), 'bigint', 'accepts work again once drained');
    } finally {
      await small.close();
    }
  });

  it('sends the checks asked for in one turn of the event loop as one batch', async () => {
    const one = await VerifierPool.start({ workers: 1, maxBatch: 64 });
    try {
      const input = { msg: randomBytes(32), nonce: randomBytes(8), height: 1_500_000 };
      await one.verify(input);
      const before = one.batchesSent;
      const hits = await Promise.all(Array.from({ length: 50 }, () => one.verify(input)));
      assert.equal(one.batchesSent - before, 1, 'fifty checks, one message');
      assert.equal(new Set(hits).size, 1);
    } finally {
      await one.close();
    }
  });

  it('tells how long its oldest waiting check has waited (0 when none waits)', async () => {
    // The portable kernel, one check at a time: 200 checks take well over 30 ms to clear.
    const slow = await VerifierPool.start({
      workers: 1,
      maxBatch: 1,
      maxInFlightPerWorker: 1,
      kernel: 'reference',
    });
    try {
      const input = { msg: randomBytes(32), nonce: randomBytes(8), height: 1_500_000 };
      assert.equal(slow.queueAgeMs(), 0, 'nothing waiting');
      const all = Promise.all(Array.from({ length: 200 }, () => slow.verify(input)));
      await new Promise((r) => setTimeout(r, 30));
      assert.ok(slow.queued > 0, 'still waiting');
      const age = slow.queueAgeMs();
      assert.ok(age >= 25, `${age} ms: the oldest waiting check has waited since it was asked for`);
      await all;
      assert.equal(slow.queueAgeMs(), 0, 'cleared');
    } finally {
      await slow.close();
    }
  });

  it('rejects malformed inputs without disturbing other checks', async () => {
    await assert.rejects(
      pool.verify({ msg: new Uint8Array(31), nonce: new Uint8Array(8), height: 1 }),
      RangeError,
    );
    const v = hitVectors[0]!;
    const hit = await pool.verify({
      msg: hexToBytes(v.msg, 'msg'),
      nonce: hexToBytes(v.nonce, 'nonce'),
      height: v.height,
    });
    assert.equal(hit.toString(16).padStart(64, '0'), v.hit);
  });

  it('fails pending checks when closed', async () => {
    const p = await VerifierPool.start({ workers: 1 });
    const pending = assert.rejects(
      p.verify({ msg: randomBytes(32), nonce: randomBytes(8), height: 10 }),
      /closed/,
    );
    await p.close();
    await pending;
    await assert.rejects(p.verify({ msg: randomBytes(32), nonce: randomBytes(8), height: 10 }), /closed/);
  });
});
