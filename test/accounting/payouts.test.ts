import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DEFAULT_PAYOUT_RULES,
  findPaymentTransaction,
  type PayoutCandidate,
  type PayoutRules,
  paysOutputs,
  planPayouts,
} from '../../src/accounting/index.ts';
import { ergoCoin, p2pkAddress } from '../../src/ergo/index.ts';
import { erg } from './helpers.ts';

const addr = (k: number) => p2pkAddress(`02${k.toString(16).padStart(2, '0').repeat(32)}`, 'mainnet');
const valid = () => null;
const rules = (over: Partial<PayoutRules> = {}): PayoutRules => ({ ...DEFAULT_PAYOUT_RULES, ...over });

function plan(
  balances: PayoutCandidate[],
  over: Partial<PayoutRules> = {},
  wallet = erg('1000'),
  validate = valid,
) {
  return planPayouts({ balances, rules: rules(over), walletAvailable: wallet, validateAddress: validate });
}

/** The pool pays the transaction fees from its fee account F (1 % of every block). */
const POOL_PAYS: Partial<PayoutRules> = {
  txFeePaidBy: 'pool',
  feePayers: [{ address: 'F', rate: { num: 1n, den: 100n } }],
};
const FEE_ACCOUNT = { address: 'F', payable: erg('0.5') };

const summary = (p: ReturnType<typeof plan>) =>
  p.batches.map((b) =>
    b.outputs.map((o) => `${o.address}:${o.value}${o.feeShare ? `(-${o.feeShare})` : ''}`).join(','),
  );

describe('payout planning', () => {
  it('pays balances at or above the pool minimum, whole balances, address order', () => {
    const p = plan(
      [
        { address: 'C', payable: erg('1') },
        { address: 'A', payable: erg('2.5') },
        { address: 'B', payable: erg('0.999999999') },
        FEE_ACCOUNT,
      ],
      POOL_PAYS,
    );
    assert.deepEqual(summary(p), [`A:${erg('2.5')},C:${erg('1')}`]);
    assert.equal(p.batches[0]!.fee, 1_000_000n);
    assert.deepEqual(p.batches[0]!.feeDebits, [{ address: 'F', amount: 1_000_000n }]);
    assert.equal(p.batches[0]!.walletCost, erg('3.5') + 1_000_000n);
    assert.equal(p.batches[0]!.debitTotal, erg('3.5') + 1_000_000n, 'the fee is charged to the pool fee');
  });

  it('the defaults (no pool fee) are solvent: what leaves the wallet is exactly what the ledger debits', () => {
    assert.equal(DEFAULT_PAYOUT_RULES.txFeePaidBy, 'miners');
    // Two 3 ERG blocks credited 100 % to the miners, a wallet of exactly 6 ERG (issue 11: it was short by the fee).
    const p = plan(
      [
        { address: 'A', payable: erg('4') },
        { address: 'B', payable: erg('2') },
      ],
      {},
      erg('6'),
    );
    assert.equal(p.walletShort, null);
    assert.equal(p.batches.length, 1);
    assert.equal(p.batches[0]!.walletCost, erg('6'));
    assert.equal(p.batches[0]!.debitTotal, erg('6'));
  });

  it('the pool pays: the fee is split over the fee accounts by their rates, never taken from nobody', () => {
    const p = plan(
      [
        { address: 'A', payable: erg('2') },
        { address: 'F', payable: erg('0.01') },
        { address: 'G', payable: erg('0.01') },
      ],
      {
        txFeePaidBy: 'pool',
        feePayers: [
          { address: 'F', rate: { num: 2n, den: 100n } },
          { address: 'G', rate: { num: 1n, den: 100n } },
        ],
      },
    );
    assert.deepEqual(summary(p), [`A:${erg('2')}`]);
    // 1,000,000 × 2/3 = 666,666.67 → 666,667; × 1/3 → 333,333.
    assert.deepEqual(p.batches[0]!.feeDebits, [
      { address: 'F', amount: 666_667n },
      { address: 'G', amount: 333_333n },
    ]);
  });

  it('the pool pays: a fee account that cannot cover the run’s fees stops the run', () => {
    const p = plan(
      [
        { address: 'A', payable: erg('2') },
        { address: 'B', payable: erg('2') },
        { address: 'F', payable: 1_500_000n },
      ],
      { ...POOL_PAYS, outputsPerTx: 1 },
    );
    assert.deepEqual(p.batches, []);
    assert.deepEqual(p.feeShort, { needed: 2_000_000n, available: 1_500_000n });
  });

  it('the pool pays: a fee account that is also due is paid what is left after its fee reserve', () => {
    const p = plan(
      [
        { address: 'A', payable: erg('2') },
        { address: 'F', payable: erg('1.5') },
      ],
      { ...POOL_PAYS, outputsPerTx: 1 },
    );
    assert.deepEqual(summary(p), [`A:${erg('2')}`, `F:${erg('1.5') - 2_000_000n}`]);
    assert.equal(
      p.batches.reduce((s, b) => s + b.debitTotal, 0n),
      erg('3.5'),
      'F is debited exactly its balance: its output plus both fees',
    );
    const q = plan([{ address: 'F', payable: erg('1') }], { ...POOL_PAYS });
    assert.deepEqual(q.batches, [], 'after its reserve F is below the minimum');
    assert.equal(q.feeShort, null);
  });

  it('per-miner thresholds: higher ones apply, lower ones are raised to the pool minimum', () => {
    const p = plan(
      [
        { address: 'A', payable: erg('5'), threshold: erg('10') },
        { address: 'B', payable: erg('0.5'), threshold: erg('0.1') },
        { address: 'C', payable: erg('10'), threshold: erg('10') },
        { address: 'D', payable: erg('1'), threshold: null },
        FEE_ACCOUNT,
      ],
      POOL_PAYS,
    );
    assert.deepEqual(summary(p), [`C:${erg('10')},D:${erg('1')}`]);
  });

  it('batches outputsPerTx outputs per transaction, one fee each', () => {
    const balances = Array.from({ length: 7 }, (_, k) => ({ address: `M${k}`, payable: erg('1') }));
    const p = plan([...balances, FEE_ACCOUNT], { ...POOL_PAYS, outputsPerTx: 3 });
    assert.deepEqual(
      p.batches.map((b) => b.outputs.length),
      [3, 3, 1],
    );
    assert.equal(
      p.batches.reduce((s, b) => s + b.walletCost, 0n),
      erg('7') + 3_000_000n,
    );
  });

  it('miners pay the fee: split equally, the odd nanoERG to the first addresses', () => {
    const p = plan(
      [
        { address: 'A', payable: erg('1') },
        { address: 'B', payable: erg('1') },
        { address: 'C', payable: erg('1') },
      ],
      { txFeePaidBy: 'miners' },
    );
    // 1,000,000 / 3 = 333,333 r 1
    assert.deepEqual(summary(p), [
      `A:${erg('1') - 333_334n}(-333334),B:${erg('1') - 333_333n}(-333333),C:${erg('1') - 333_333n}(-333333)`,
    ]);
    const b = p.batches[0]!;
    assert.equal(b.debitTotal, erg('3'));
    assert.equal(b.walletCost, erg('3')); // Σ values + fee = Σ debits
  });

  it('an invalid address is set aside with a reason and never blocks the others', () => {
    const good = addr(2);
    const p = planPayouts({
      balances: [
        { address: '9notAnAddress', payable: erg('3') },
        { address: good, payable: erg('3') },
      ],
      rules: rules(),
      walletAvailable: erg('100'),
      validateAddress: ergoCoin('mainnet').checkAddress,
    });
    assert.deepEqual(summary(p), [`${good}:${erg('3') - 1_000_000n}(-1000000)`]);
    assert.equal(p.setAside.length, 1);
    assert.equal(p.setAside[0]!.address, '9notAnAddress');
    assert.match(p.setAside[0]!.reason, /base58|checksum/);
  });

  it('a testnet address on a mainnet pool is set aside', () => {
    const testnet = p2pkAddress(`02${'11'.repeat(32)}`, 'testnet');
    const p = planPayouts({
      balances: [{ address: testnet, payable: erg('3') }],
      rules: rules(),
      walletAvailable: erg('100'),
      validateAddress: ergoCoin('mainnet').checkAddress,
    });
    assert.match(p.setAside[0]!.reason, /testnet address, expected mainnet/);
  });

  it('the pool account and empty balances are never paid', () => {
    const p = plan([
      { address: '@pool', payable: erg('100') },
      { address: 'A', payable: 0n },
    ]);
    assert.deepEqual(p.batches, []);
    assert.deepEqual(p.setAside, []);
  });

  it('a short wallet waits for the next run (nothing sent)', () => {
    const p = plan(
      [{ address: 'A', payable: erg('2') }, { address: 'B', payable: erg('2') }, FEE_ACCOUNT],
      { ...POOL_PAYS, outputsPerTx: 1 },
      erg('3'),
    );
    assert.deepEqual(p.batches, []);
    assert.equal(p.deferred.length, 2);
    assert.deepEqual(p.walletShort, { needed: erg('4') + 2_000_000n, available: erg('3') });
  });

  it('partial: the batches that fit are paid, in order', () => {
    const p = plan(
      [
        { address: 'A', payable: erg('2') },
        { address: 'B', payable: erg('5') },
        { address: 'C', payable: erg('1') },
        FEE_ACCOUNT,
      ],
      { ...POOL_PAYS, outputsPerTx: 1, partial: true },
      erg('3.5'),
    );
    assert.deepEqual(summary(p), [`A:${erg('2')}`, `C:${erg('1')}`]);
    assert.deepEqual(
      p.deferred.map((b) => b.outputs[0]!.address),
      ['B'],
    );
  });

  it('the fee counts when checking the wallet', () => {
    const p = plan([{ address: 'A', payable: erg('3') }, FEE_ACCOUNT], POOL_PAYS, erg('3'));
    assert.deepEqual(p.batches, []);
    const q = plan([{ address: 'A', payable: erg('3') }], { txFeePaidBy: 'miners' }, erg('3'));
    assert.equal(q.batches.length, 1);
  });

  it('refuses rules that could send an output below the minimum', () => {
    assert.throws(() => plan([], { outputsPerTx: 0 }), /outputsPerTx/);
    assert.throws(() => plan([], { minimum: 1_500_000n, txFeePaidBy: 'miners' }), /minimum payout/);
    assert.throws(() => plan([], { minimum: 10n, ...POOL_PAYS }), /minimum payout/);
    assert.throws(() => plan([], { txFeePaidBy: 'pool' }), /needs at least one fee recipient/);
  });
});

describe('finding an in-flight payment among the wallet’s transactions', () => {
  const out = (ergoTree: string, value: bigint) => ({ ergoTree, value });
  const tx = (id: string, outputs: { ergoTree: string; value: bigint }[]) =>
    ({ id, outputs }) as unknown as Parameters<typeof findPaymentTransaction>[0][number];
  const want = (pairs: [string, bigint][]) =>
    pairs.map(([ergoTree, value]) => ({ address: ergoTree, ergoTree, value }));

  it('matches every requested output by script and value, extra outputs (fee, change) allowed', () => {
    assert.ok(
      paysOutputs(
        tx('t', [out('aa', 5n), out('bb', 7n), out('fee', 1n), out('change', 9n)]),
        want([
          ['bb', 7n],
          ['aa', 5n],
        ]),
      ),
    );
    assert.ok(
      !paysOutputs(
        tx('t', [out('aa', 5n)]),
        want([
          ['aa', 5n],
          ['bb', 7n],
        ]),
      ),
    );
    assert.ok(!paysOutputs(tx('t', [out('aa', 6n)]), want([['aa', 5n]])));
    assert.ok(!paysOutputs(tx('t', [out('AA', 5n)]), want([])), 'an empty request matches nothing');
  });
  it('needs one output per requested output (multiset)', () => {
    assert.ok(
      !paysOutputs(
        tx('t', [out('aa', 5n)]),
        want([
          ['aa', 5n],
          ['aa', 5n],
        ]),
      ),
    );
    assert.ok(
      paysOutputs(
        tx('t', [out('aa', 5n), out('aa', 5n)]),
        want([
          ['aa', 5n],
          ['aa', 5n],
        ]),
      ),
    );
  });
  it('skips transactions already recorded for another payment (the same payee and amount paid before)', () => {
    const earlier = tx('t1', [out('aa', 5n)]);
    const ours = tx('t2', [out('aa', 5n)]);
    assert.equal(findPaymentTransaction([earlier, ours], want([['aa', 5n]]), new Set(['t1'])), 't2');
    assert.equal(findPaymentTransaction([earlier], want([['aa', 5n]]), new Set(['t1'])), null);
  });
});
