import { z } from 'zod';
import { NANOERG_PER_ERG } from '../ergo/index.ts';
import { parseDecimal } from './exact.ts';
import { type FeeSchedule, parseFees } from './fees.ts';
import { NODE_TX_FEE, type PayoutRules } from './payouts.ts';
import { PAYOUT_SCHEMES } from './schemes.ts';

/** A non-negative decimal written as text or a number, kept as text and parsed exactly when used. */
const decimal = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const text = String(v);
  try {
    parseDecimal(text);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
  return text;
});

/** ERG written as a decimal ("0.5"), as exact nanoERG. */
export function ergToNano(text: string): bigint {
  const r = parseDecimal(text, 'ERG amount');
  const nano = r.num * NANOERG_PER_ERG;
  if (nano % r.den !== 0n) throw new RangeError(`${text} ERG is not a whole number of nanoERG`);
  return nano / r.den;
}

const ergAmount = decimal.refine(
  (t) => {
    try {
      return ergToNano(t) > 0n;
    } catch {
      return false;
    }
  },
  { message: 'must be a positive ERG amount with at most 9 decimals' },
);

const payouts = z
  .object({
    enabled: z.boolean().default(true),
    intervalSeconds: z.number().positive().default(600),
    /** Pool minimum payout in ERG; miners may set a higher threshold (miner_settings). */
    minimum: ergAmount.default('1'),
    outputsPerTransaction: z.number().int().min(1).max(500).default(50),
    /**
     * Who bears the node's 0.001 ERG per transaction: the transaction's payees (default: every reward is owed
     * to somebody, so the wallet holds exactly what is owed), or the pool fee's recipients (needs `fees`).
     */
    txFeePaidBy: z.enum(['pool', 'miners']).default('miners'),
    /** When the wallet cannot cover everything due: pay the batches that fit (true) or wait (false). */
    partial: z.boolean().default(false),
    /** Confirmations after which a payment transaction is 'confirmed'. */
    confirmations: z.number().int().min(1).default(10),
    /** An in-flight payment found in no mempool nor the wallet raises a payment-in-doubt alert after this long (never re-sent on a guess). */
    inFlightGraceSeconds: z.number().min(0).default(60),
    walletPassword: z.string().optional(),
  })
  .strict();

/** The `accounting:` section of the pool config. */
export const accountingConfigSchema = z
  .object({
    scheme: z.enum(PAYOUT_SCHEMES as ['pps', 'pplns', 'prop', 'solo']).default('pplns'),
    /** Pool fee: one or more recipients, percentages as exact decimals ("1.5"). */
    fees: z.array(z.object({ address: z.string().min(1), percent: decimal }).strict()).default([]),
    /** PPLNS window in network difficulties. */
    pplnsFactor: decimal.default('2'),
    /** Confirmations before a block is confirmed; default: the coin's maturity (Ergo: 720, the reward lock). */
    confirmations: z.number().int().min(1).optional(),
    /** A block whose height's best block is someone else's is orphaned once that block is this deep. */
    orphanConfirmations: z.number().int().min(1).default(10),
    /** A block whose height has no header at all this far behind the tip is orphaned. */
    orphanAfterBlocks: z.number().int().min(1).default(30),
    blockCheckSeconds: z.number().positive().default(60),
    ppsIntervalSeconds: z.number().positive().default(60),
    /**
     * With several accounting instances on one database, the leader holds a lease this long and renews it
     * four times per period: a standby takes over at most this long after the leader died.
     */
    leaderLeaseSeconds: z.number().min(2).max(600).default(20),
    payouts: payouts.default(() => payouts.parse({})),
  })
  .strict()
  .superRefine((c, ctx) => {
    try {
      parseFees(c.fees.map((f) => ({ address: f.address, percent: f.percent })));
    } catch (err) {
      ctx.addIssue({ code: 'custom', path: ['fees'], message: (err as Error).message });
    }
    if (c.payouts.txFeePaidBy === 'pool' && c.fees.every((f) => parseDecimal(f.percent).num === 0n))
      ctx.addIssue({
        code: 'custom',
        path: ['payouts', 'txFeePaidBy'],
        message:
          'pool: transaction fees are paid from the pool fee, and there is none (set fees, or txFeePaidBy: miners)',
      });
    if (parseDecimal(c.pplnsFactor).num === 0n)
      ctx.addIssue({ code: 'custom', path: ['pplnsFactor'], message: 'must be greater than zero' });
  });

export type AccountingConfig = z.infer<typeof accountingConfigSchema>;

export function defaultAccountingConfig(): AccountingConfig {
  return accountingConfigSchema.parse({});
}

/** The fee schedule of a config. */
export function feesOf(c: AccountingConfig): FeeSchedule {
  return parseFees(c.fees);
}

/** The payout rules of a config. */
export function payoutRulesOf(c: AccountingConfig): PayoutRules {
  return {
    minimum: ergToNano(c.payouts.minimum),
    outputsPerTx: c.payouts.outputsPerTransaction,
    txFee: NODE_TX_FEE,
    txFeePaidBy: c.payouts.txFeePaidBy,
    ...(c.payouts.txFeePaidBy === 'pool' ? { feePayers: feesOf(c).recipients } : {}),
    minOutputValue: NODE_TX_FEE,
    partial: c.payouts.partial,
  };
}
