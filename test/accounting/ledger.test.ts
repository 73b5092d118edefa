import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  assertLedger,
  type BlockStatus,
  balancesOf,
  blockCreditEntries,
  checkLedger,
  checkPoolLedgers,
  DEFAULT_PAYOUT_RULES,
  type LedgerBlock,
  type LedgerEntry,
  type LedgerPayment,
  type LedgerSnapshot,
  parseFees,
  payoutEntries,
  planPayouts,
  pplnsCredits,
  ppsEntries,
  reversalEntries,
} from '../../src/accounting/index.ts';
import { r, share } from './helpers.ts';

const fees = parseFees([{ address: 'FEE', percent: '1' }]);
const row = (
  address: string,
  kind: LedgerEntry['kind'],
  amount: bigint,
  extra: Partial<LedgerEntry> = {},
): LedgerEntry => ({
  address,
  kind,
  amount,
  blockId: null,
  paymentId: null,
  reason: 'test',
  ...extra,
});

/** b1 confirmed, b2 orphaned, b3 pending; p1 sent, p2 in flight, p3 failed and reversed. */
function history(): LedgerSnapshot {
  const split = (reward: bigint) =>
    pplnsCredits({ reward, fees, finder: 'A' }, [share('A', 150), share('B', 100)], r(2)).credits;
  const entries: LedgerEntry[] = [
    ...blockCreditEntries('b1', split(1000n)),
    ...blockCreditEntries('b2', split(500n)),
    ...blockCreditEntries('b3', split(300n)),
    ...ppsEntries([{ address: 'A', kind: 'miner', amount: 7n }], 'period 1'),
    row('B', 'adjustment', -2n),
  ];
  // The pool pays each transaction's fee (1 nanoERG here) from its fee account FEE.
  const pay = (address: string, amount: bigint) => ({
    outputs: [{ address, debit: amount, value: amount, feeShare: 0n }],
    fee: 1n,
    feeDebits: [{ address: 'FEE', amount: 1n }],
    debitTotal: amount + 1n,
    walletCost: amount + 1n,
  });
  entries.push(...payoutEntries('p1', pay('A', 500n)));
  entries.push(...payoutEntries('p2', pay('B', 100n)));
  entries.push(...payoutEntries('p3', pay('A', 50n)));
  entries.push(...reversalEntries('p3', entries));
  const blocks: LedgerBlock[] = [
    { id: 'b1', status: 'confirmed', reward: 1000n, credited: true },
    { id: 'b2', status: 'orphaned', reward: 500n, credited: true },
    { id: 'b3', status: 'pending', reward: 300n, credited: true },
  ];
  const fee = 1n;
  const payments: LedgerPayment[] = [
    { id: 'p1', status: 'sent', txId: 't1', fee, outputs: [{ address: 'A', amount: 500n }] },
    { id: 'p2', status: 'in_flight', txId: null, fee, outputs: [{ address: 'B', amount: 100n }] },
    { id: 'p3', status: 'failed', txId: null, fee, outputs: [{ address: 'A', amount: 50n }] },
  ];
  const status = new Map<string, BlockStatus>(blocks.map((b) => [b.id, b.status]));
  return { entries, balances: [...balancesOf(entries, status).values()], blocks, payments };
}

const edit = <T extends { id: string }>(list: readonly T[], id: string, change: Partial<T>) =>
  list.map((x) => (x.id === id ? { ...x, ...change } : x));

describe('ledger rows and balances', () => {
  it('a consistent history passes every invariant, with the expected balances', () => {
    const s = history();
    assert.deepEqual(checkLedger(s), []);
    const get = (a: string) => s.balances.find((b) => b.address === a)!;
    // b1 = 1000: fee 10, A 742.5 and B 247.5 → the tied leftover nanoERG goes to A (address order);
    // b2 is orphaned: void; b3 = 300: fee 3, A 222.75 → 223, B 74.25 → 74, pending.
    assert.deepEqual([get('A').immature, get('A').payable, get('A').paid], [223n, 743n + 7n - 500n, 500n]);
    assert.deepEqual([get('B').immature, get('B').payable, get('B').paid], [74n, 247n - 2n - 100n, 100n]);
    // FEE pays the three transactions' fees (1 each); the failed one's is returned.
    assert.deepEqual([get('FEE').immature, get('FEE').payable, get('FEE').paid], [3n, 10n - 3n + 1n, 2n]);
  });

  const broken: { name: string; mutate: (s: LedgerSnapshot) => LedgerSnapshot; want: RegExp }[] = [
    {
      name: 'credits of a block ≠ its reward',
      mutate: (s) => ({ ...s, blocks: edit(s.blocks, 'b1', { reward: 1001n }) }),
      want: /block b1: credits 1000 ≠ reward 1001/,
    },
    {
      name: 'credits of a block ≠ its reward, even when orphaned',
      mutate: (s) => ({ ...s, blocks: edit(s.blocks, 'b2', { reward: 499n }) }),
      want: /block b2: credits 500 ≠ reward 499/,
    },
    {
      name: 'a stored balance that differs from its rows',
      mutate: (s) => ({
        ...s,
        balances: s.balances.map((b) => (b.address === 'B' ? { ...b, payable: b.payable + 1n } : b)),
      }),
      want: /B: payable balance 146 ≠ Σ rows 145/,
    },
    {
      name: 'paid + payable + immature ≠ credited',
      mutate: (s) => ({
        ...s,
        balances: s.balances.map((b) => (b.address === 'A' ? { ...b, paid: b.paid + 5n } : b)),
      }),
      want: /A: paid \+ payable \+ immature = \d+ ≠ credited/,
    },
    {
      name: 'a negative payable',
      mutate: (s) => {
        const entries = [...s.entries, row('C', 'adjustment', -1n)];
        return {
          ...s,
          entries,
          balances: [...s.balances, { address: 'C', immature: 0n, payable: -1n, paid: 0n }],
        };
      },
      want: /C: negative payable -1/,
    },
    {
      name: 'a confirmed block without credits',
      mutate: (s) => ({
        ...s,
        blocks: [...s.blocks, { id: 'b4', status: 'confirmed', reward: 9n, credited: false }],
      }),
      want: /block b4: confirmed but not credited/,
    },
    {
      name: 'a sent payment without a tx id',
      mutate: (s) => ({ ...s, payments: edit(s.payments, 'p2', { status: 'sent' }) }),
      want: /payment p2: sent without a tx id/,
    },
    {
      name: 'two payments with the same transaction (paid twice)',
      mutate: (s) => ({ ...s, payments: edit(s.payments, 'p2', { status: 'sent', txId: 't1' }) }),
      want: /payments p1 and p2 share tx t1/,
    },
    {
      name: 'a failed payment that was not returned',
      mutate: (s) => ({ ...s, payments: edit(s.payments, 'p2', { status: 'failed' }) }),
      want: /payment p2 \(failed\): B reversed 0, expected 100/,
    },
    {
      name: 'a reversal of a payment that did not fail',
      mutate: (s) => ({ ...s, payments: edit(s.payments, 'p3', { status: 'sent', txId: 't3' }) }),
      want: /payment p3 \(sent\): A reversed 50, expected 0/,
    },
    {
      name: 'debits that do not cover the outputs',
      mutate: (s) => ({
        ...s,
        payments: edit(s.payments, 'p1', { outputs: [{ address: 'A', amount: 501n }] }),
      }),
      want: /payment p1: debits 501 ≠ outputs 501 \+ fee 1[\s\S]*A receives more than it was debited/,
    },
    {
      name: 'a transaction fee charged to nobody (the wallet would pay more than the ledger owes)',
      mutate: (s) => ({
        ...s,
        entries: s.entries.filter((e) => !(e.paymentId === 'p2' && e.address === 'FEE')),
        balances: s.balances.map((b) =>
          b.address === 'FEE' ? { ...b, payable: b.payable + 1n, paid: b.paid - 1n } : b,
        ),
      }),
      want: /payment p2: debits 100 ≠ outputs 100 \+ fee 1/,
    },
    {
      name: 'malformed rows',
      mutate: (s) => ({
        ...s,
        entries: [
          ...s.entries,
          row('A', 'payout', 5n, { paymentId: 'p1' }),
          row('A', 'block_credit', 5n),
          row('A', 'payout', -5n),
          row('A', 'pps_credit', 0n),
        ],
      }),
      want: /payout of 5[\s\S]*block_credit without a block[\s\S]*payout must name a payment[\s\S]*pps_credit of 0/,
    },
    {
      name: 'rows of an unknown block or payment',
      mutate: (s) => ({
        ...s,
        blocks: s.blocks.filter((b) => b.id !== 'b2'),
        payments: s.payments.filter((p) => p.id !== 'p2'),
      }),
      want: /rows for unknown block b2[\s\S]*rows for unknown payment p2/,
    },
  ];
  for (const c of broken) {
    it(`detects ${c.name}`, () => {
      assert.match(checkLedger(c.mutate(history())).join('\n'), c.want);
      assert.throws(() => assertLedger(c.mutate(history())), /ledger invariants violated/);
    });
  }

  it('miners paying the fee: debits = outputs + fee', () => {
    const batch = planPayouts({
      balances: [
        { address: 'A', payable: 2_000_000_000n },
        { address: 'B', payable: 2_000_000_000n },
      ],
      rules: { ...DEFAULT_PAYOUT_RULES, txFeePaidBy: 'miners' },
      walletAvailable: 10n ** 12n,
      validateAddress: () => null,
    }).batches[0]!;
    const entries = [
      row('A', 'pps_credit', 2_000_000_000n),
      row('B', 'pps_credit', 2_000_000_000n),
      ...payoutEntries('p', batch),
    ];
    const payments: LedgerPayment[] = [
      {
        id: 'p',
        status: 'sent',
        txId: 't',
        fee: batch.fee,
        outputs: batch.outputs.map((o) => ({ address: o.address, amount: o.value })),
      },
    ];
    const balances = [...balancesOf(entries, new Map()).values()];
    assert.deepEqual(checkLedger({ entries, balances, blocks: [], payments }), []);
    assert.deepEqual(
      balances.map((b) => [b.address, b.payable, b.paid]),
      [
        ['A', 0n, 2_000_000_000n],
        ['B', 0n, 2_000_000_000n],
      ],
    );
  });
});

describe('the ledgers of several pools', () => {
  /** The solo pool: b9 (confirmed, all to C) and p9 (sent to C); ids distinct from history()'s. */
  function solo(): LedgerSnapshot {
    const entries: LedgerEntry[] = [
      ...blockCreditEntries('b9', [{ address: 'C', kind: 'miner', amount: 400n }]),
      ...payoutEntries('p9', {
        outputs: [{ address: 'C', debit: 300n, value: 299n, feeShare: 1n }],
        fee: 1n,
        feeDebits: [],
        debitTotal: 300n,
        walletCost: 300n,
      }),
    ];
    const blocks: LedgerBlock[] = [{ id: 'b9', status: 'confirmed', reward: 400n, credited: true }];
    const payments: LedgerPayment[] = [
      { id: 'p9', status: 'sent', txId: 't9', fee: 1n, outputs: [{ address: 'C', amount: 299n }] },
    ];
    const status = new Map<string, BlockStatus>([['b9', 'confirmed']]);
    return { entries, balances: [...balancesOf(entries, status).values()], blocks, payments };
  }
  const pools = (ergo: LedgerSnapshot, other: LedgerSnapshot) =>
    new Map([
      ['ergo', ergo],
      ['solo', other],
    ]);

  it('two consistent pools pass, each checked on its own', () => {
    assert.deepEqual(checkPoolLedgers(pools(history(), solo())), []);
    const broken = solo();
    const problems = checkPoolLedgers(
      pools(history(), { ...broken, blocks: edit(broken.blocks, 'b9', { reward: 401n }) }),
    );
    assert.deepEqual(problems, ['pool solo: block b9: credits 400 ≠ reward 401']);
  });

  it('a row naming another pool’s block or payment', () => {
    const s = history();
    const misfiled: LedgerSnapshot = {
      ...s,
      entries: [
        ...s.entries,
        row('A', 'block_credit', 5n, { blockId: 'b9' }),
        row('A', 'payout_reversal', 5n, { paymentId: 'p9' }),
      ],
    };
    const problems = checkPoolLedgers(pools(misfiled, solo())).join('\n');
    assert.match(problems, /pool ergo: row \d+ \(A\) names block b9 of pool solo/);
    assert.match(problems, /pool ergo: row \d+ \(A\) names payment p9 of pool solo/);
    assert.match(problems, /pool ergo: rows for unknown block b9/);
    assert.doesNotMatch(problems, /pool solo:/, 'the other pool is not blamed');
  });

  it('a block or payment listed in two pools, and one transaction paying payments of two pools', () => {
    const other = solo();
    const twice: LedgerSnapshot = {
      ...other,
      blocks: [...other.blocks, { id: 'b1', status: 'orphaned', reward: null, credited: false }],
      payments: edit(other.payments, 'p9', { txId: 't1' }),
    };
    const problems = checkPoolLedgers(pools(history(), twice)).join('\n');
    assert.match(problems, /block b1 is listed in pools ergo and solo/);
    assert.match(problems, /payments p1 \(pool ergo\) and p9 \(pool solo\) share tx t1/);
  });
});
