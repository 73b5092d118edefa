import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  accountingConfigSchema,
  defaultAccountingConfig,
  ergToNano,
  payoutRulesOf,
  startAccounting,
} from '../../src/accounting/index.ts';
import type { Database } from '../../src/db/index.ts';
import { ergoChainReader, ergoCoin } from '../../src/ergo/index.ts';
import { ENGINES } from '../db/helpers.ts';
import { balanceOf, POOL_ID } from './db-helpers.ts';
import {
  A,
  B,
  competitorBlocks,
  FEE,
  type Pool,
  poolFindsBlock,
  received,
  useDevnetPool,
} from './devnet-helpers.ts';

describe('accounting config', () => {
  it('defaults: PPLNS × 2, the coin’s maturity for confirmations, 1 ERG minimum, the payees pay the tx fee (no pool fee to pay it from)', () => {
    const c = defaultAccountingConfig();
    assert.equal(c.scheme, 'pplns');
    assert.equal(c.pplnsFactor, '2');
    assert.equal(c.confirmations, undefined);
    assert.deepEqual(payoutRulesOf(c), {
      minimum: 1_000_000_000n,
      outputsPerTx: 50,
      txFee: 1_000_000n,
      txFeePaidBy: 'miners',
      minOutputValue: 1_000_000n,
      partial: false,
    });
  });
  it('txFeePaidBy: pool charges the pool fee’s recipients by their rates', () => {
    const c = accountingConfigSchema.parse({
      fees: [{ address: 'F', percent: '1.5' }],
      payouts: { txFeePaidBy: 'pool' },
    });
    assert.deepEqual(payoutRulesOf(c).feePayers, [{ address: 'F', rate: { num: 3n, den: 200n } }]);
  });
  it('parses ERG amounts exactly', () => {
    assert.equal(ergToNano('0.000000001'), 1n);
    assert.equal(ergToNano('12.5'), 12_500_000_000n);
    assert.throws(() => ergToNano('0.0000000001'), /whole number of nanoERG/);
  });
  const bad: [string, unknown, RegExp][] = [
    ['an unknown scheme', { scheme: 'fpps' }, /scheme/],
    [
      'fees above 100 %',
      {
        fees: [
          { address: 'a', percent: '70' },
          { address: 'b', percent: '31' },
        ],
      },
      /above 100/,
    ],
    ['a zero PPLNS factor', { pplnsFactor: '0' }, /greater than zero/],
    ['a minimum with too many decimals', { payouts: { minimum: '0.0000000001' } }, /ERG amount/],
    ['an unknown key', { payout: {} }, /payout/],
    [
      'the pool paying transaction fees with no pool fee (it could never be solvent)',
      { payouts: { txFeePaidBy: 'pool' } },
      /"path":\["payouts","txFeePaidBy"\],"message":"pool: transaction fees are paid from the pool fee, and there is none/,
    ],
  ];
  it('refuses to start with a fee recipient that could never be paid', () => {
    const config = accountingConfigSchema.parse({ fees: [{ address: '9notAnAddress', percent: '1' }] });
    const node = {} as never;
    assert.throws(
      () =>
        startAccounting({
          config,
          db: {} as Database,
          poolId: POOL_ID,
          chain: () => node,
          wallet: null,
          poolPublicKey: `02${'ab'.repeat(32)}`,
          checkAddress: ergoCoin('mainnet').checkAddress,
          maturity: ergoCoin('mainnet').rewards.maturity,
          rewardAt: ergoCoin('mainnet').rewards.blockReward,
        }),
      /fee recipient 9notAnAddress cannot be paid/,
    );
  });
  for (const [name, raw, re] of bad) {
    it(`refuses ${name}`, () => {
      const r = accountingConfigSchema.safeParse(raw);
      assert.equal(r.success, false);
      assert.match(JSON.stringify(r.error?.issues), re);
    });
  }
});

for (const engine of ENGINES) {
  describe(`the accounting service on the devnet (${engine})`, () => {
    let db: Database;
    let pool: Pool;
    useDevnetPool(engine, (d, p) => {
      db = d;
      pool = p;
    });

    for (const scheme of ['pplns', 'prop', 'solo', 'pps'] as const) {
      it(`${scheme.toUpperCase()} from config: blocks confirmed, miners paid`, async () => {
        const config = accountingConfigSchema.parse({
          scheme,
          fees: [{ address: FEE, percent: '1' }],
          confirmations: 3,
          orphanConfirmations: 2,
          blockCheckSeconds: 3600,
          ppsIntervalSeconds: 3600,
          payouts: { minimum: '0.1', intervalSeconds: 3600, confirmations: 1, inFlightGraceSeconds: 0 },
        });
        const accounting = startAccounting({
          config,
          db,
          poolId: POOL_ID,
          chain: () => ergoChainReader(pool.client),
          wallet: () => pool.client,
          poolPublicKey: () => pool.client.rewardPublicKey(),
          checkAddress: ergoCoin('mainnet').checkAddress,
          maturity: ergoCoin('mainnet').rewards.maturity,
          rewardAt: () => 3_000_000_000n,
        });
        try {
          await poolFindsBlock(pool, [
            [B, 10n],
            [A, 10n],
          ]);
          if (scheme === 'pps') await accounting.runOnce(); // PPS: shares credited at once, blocks or not
          await poolFindsBlock(pool, [], { record: false }); // the operator's float
          await competitorBlocks(pool, 3);
          await accounting.runOnce();
          await competitorBlocks(pool, 1);
          await accounting.runOnce();
          const got = await received(pool);
          const paidA = (await balanceOf(db, A)).paid;
          assert.ok(paidA > 0n, 'A was paid');
          // The default: the payees bear the transaction fee, so each receives its balance less its part of it.
          const feeShare = async (address: string) => {
            const r = await db.query<{ fee: bigint; n: bigint }>(
              `SELECT p.fee, (SELECT count(*) FROM payment_outputs x WHERE x.payment_id = p.id) AS n
                 FROM payments p JOIN payment_outputs o ON o.payment_id = p.id WHERE o.address = $1`,
              [address],
            );
            return r.rows.reduce((s, x) => s + x.fee / x.n, 0n);
          };
          assert.equal(got.get(A)?.total, paidA - (await feeShare(A)));
          if (scheme === 'solo') assert.equal((await balanceOf(db, B)).paid, 0n, 'SOLO: only the finder');
          else assert.equal(got.get(B)?.total, (await balanceOf(db, B)).paid - (await feeShare(B)));
          const statuses = await db.query<{ status: string }>('SELECT status FROM payments');
          assert.ok(statuses.rows.every((p) => p.status === 'confirmed'));
        } finally {
          await accounting.close();
        }
      });
    }
  });
}
