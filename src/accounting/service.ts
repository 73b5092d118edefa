import type { EventEmitter } from 'node:events';
import pino, { type Logger } from 'pino';
import type { ChainReader } from '../coin/index.ts';
import type { Database } from '../db/index.ts';
import { type AccountingEvents, alertChannel } from './alerts.ts';
import { BlockTracker } from './block-tracker.ts';
import { type AccountingConfig, feesOf, payoutRulesOf } from './config.ts';
import { parseDecimal } from './exact.ts';
import { Leadership } from './leadership.ts';
import type { MempoolNode } from './payment-doubt.ts';
import { PaymentRunner, type WalletNode } from './payment-runner.ts';
import { PpsRunner } from './pps-runner.ts';

export interface AccountingOptions {
  config: AccountingConfig;
  db: Database;
  /** The pool these jobs account for (config `pool.id`): its blocks, shares, ledger and payments. */
  poolId: string;
  /** The coin's chain blocks are checked against (e.g. through the NodeSet's current or wallet node). */
  chain: () => ChainReader;
  /** The wallet node that pays (NodeSet.wallet()); null: no payouts from this instance. */
  wallet: (() => WalletNode) | null;
  /** Every node of the pool (NodeSet.clients()): a payment's transaction is looked for in each mempool. */
  nodes?: () => readonly MempoolNode[];
  /** The pool's mining key (the wallet node's /mining/rewardPublicKey). */
  poolPublicKey: string | (() => Promise<string>);
  /** The coin's address check (Coin.checkAddress): null when the pool can pay the address, else why not. */
  checkAddress: (address: string) => string | null;
  /** Confirmations before a block's reward may be spent (Coin.rewards.maturity): the default of `confirmations`. */
  maturity: number;
  /** The reward a block at a height lets the pool distribute (Coin.rewards.blockReward): PPS rates. */
  rewardAt: (height: number) => bigint;
  instance?: string;
  /** The database is not reachable yet (the pool started during an outage): no job runs before this resolves. */
  ready?: Promise<unknown>;
  /**
   * Several accounting instances on one database: only the holder of the `accounting` lease runs the jobs,
   * the others stand by and take over when it stops renewing. Omitted: this instance always runs them.
   */
  leader?: { holder: string; leaseMs: number };
  /**
   * Several pools in one process: one lead for all of them, and their payout runs one at a time (pools may
   * pay from one wallet, and one payout lease fences them). Given, it replaces `leader`.
   */
  shared?: AccountingShared;
  logger?: Logger;
}

/** What the accounting of several pools in one process shares (see sharedAccounting). */
export interface AccountingShared {
  readonly holder: string;
  readonly leaseMs: number;
  readonly leadership: Leadership;
  /** Runs a payout run after every other pool's run that was asked for before it. */
  payoutTurn<T>(run: () => Promise<T>): Promise<T>;
  /** Ends the lead (after every pool's accounting closed). */
  release(): Promise<void>;
}

/** One lead and one payout queue for the accounting of every pool of this process. */
export function sharedAccounting(o: {
  db: Database;
  holder: string;
  leaseMs: number;
  logger: Logger;
}): AccountingShared {
  const leadership = new Leadership({ db: o.db, holder: o.holder, leaseMs: o.leaseMs, logger: o.logger });
  let queue: Promise<unknown> = Promise.resolve();
  return {
    holder: o.holder,
    leaseMs: o.leaseMs,
    leadership,
    payoutTurn<T>(run: () => Promise<T>): Promise<T> {
      const turn = queue.then(run);
      queue = turn.catch(() => undefined);
      return turn;
    },
    release: () => leadership.release(),
  };
}

export interface Accounting {
  /** 'alert': something an operator must look at (also logged as an error); see AlertKind. */
  readonly events: EventEmitter<AccountingEvents>;
  readonly tracker: BlockTracker;
  readonly pps: PpsRunner | null;
  readonly payments: PaymentRunner | null;
  /** True while this instance runs the jobs (always, without `leader`). */
  readonly leading: boolean;
  /** One pass of every job now (block lifecycle, PPS period, payouts), in that order. */
  runOnce(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The accounting jobs on their intervals: the block lifecycle (every blockCheckSeconds), PPS crediting
 * (PPS pools, every ppsIntervalSeconds) and payouts (every payouts.intervalSeconds, only with a wallet).
 * Each job runs alone (a run never overlaps the previous one); a failing run is logged and retried at
 * its next interval. close() stops the timers and waits for running jobs.
 */
export function startAccounting(o: AccountingOptions): Accounting {
  const logger = o.logger ?? pino({ level: 'silent' });
  const { events, alert } = alertChannel(logger);
  const c = o.config;
  const confirmations = c.confirmations ?? o.maturity;
  const fees = feesOf(c);
  // A fee recipient that can never be paid is a configuration error: refuse to start rather than accrue.
  for (const r of fees.recipients) {
    const why = o.checkAddress(r.address);
    if (why) throw new RangeError(`fee recipient ${r.address} cannot be paid: ${why}`);
  }
  const tracker = new BlockTracker({
    db: o.db,
    poolId: o.poolId,
    chain: o.chain,
    poolPublicKey: o.poolPublicKey,
    scheme: c.scheme,
    fees,
    pplnsFactor: parseDecimal(c.pplnsFactor),
    rules: {
      confirmations,
      orphanConfirmations: c.orphanConfirmations,
      giveUpAfter: c.orphanAfterBlocks,
    },
    alert,
    logger,
  });
  const pps =
    c.scheme === 'pps'
      ? new PpsRunner({
          db: o.db,
          poolId: o.poolId,
          fees,
          alert,
          logger,
          rewardAt: o.rewardAt,
        })
      : null;
  const lead = o.shared ? { holder: o.shared.holder, leaseMs: o.shared.leaseMs } : (o.leader ?? null);
  const ownLeadership =
    !o.shared && o.leader
      ? new Leadership({ db: o.db, holder: o.leader.holder, leaseMs: o.leader.leaseMs, logger })
      : null;
  const leadership = o.shared?.leadership ?? ownLeadership;
  const payoutRun = (run: () => Promise<unknown>) => (o.shared ? o.shared.payoutTurn(run) : run());
  const wallet = o.wallet;
  const payments =
    c.payouts.enabled && wallet
      ? new PaymentRunner({
          db: o.db,
          poolId: o.poolId,
          wallet,
          rules: payoutRulesOf(c),
          checkAddress: o.checkAddress,
          confirmations: c.payouts.confirmations,
          inFlightGraceMs: c.payouts.inFlightGraceSeconds * 1000,
          instance: o.instance ?? '',
          ...(lead ? { leaseHolder: lead.holder } : {}),
          alert,
          logger,
          ...(o.nodes ? { mempools: o.nodes } : {}),
          ...(c.payouts.walletPassword ? { walletPassword: c.payouts.walletPassword } : {}),
        })
      : null;

  let closed = false;
  const timers = new Set<NodeJS.Timeout>();
  const running = new Set<Promise<unknown>>();
  // One chain of runs per job: runOnce() and the timer never run the same job twice at once.
  const chains = new Map<string, Promise<unknown>>();
  const job = (name: string, work: () => Promise<unknown>) => {
    const next = (chains.get(name) ?? Promise.resolve()).then(async () => {
      if (closed || (leadership && !leadership.leading)) return;
      try {
        await work();
      } catch (err) {
        logger.error({ err, job: name }, `accounting ${name} failed: ${(err as Error).message}`);
      }
    });
    chains.set(name, next);
    running.add(next);
    void next.finally(() => running.delete(next));
    return next;
  };
  const later = (fn: () => void, ms: number) => {
    if (closed) return;
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };
  const every = (name: string, seconds: number, work: () => Promise<unknown>) => {
    const tick = () => {
      if (closed) return;
      void job(name, work).then(() => later(tick, seconds * 1000));
    };
    later(tick, Math.min(seconds, 5) * 1000);
  };
  const runAll = async () => {
    await job('blocks', () => tracker.tick());
    if (pps) await job('pps', () => pps.run());
    if (payments) await job('payouts', () => payoutRun(() => payments.run()));
  };
  const schedule = () => {
    every('blocks', c.blockCheckSeconds, () => tracker.tick());
    if (pps) every('pps', c.ppsIntervalSeconds, () => pps.run());
    if (payments) every('payouts', c.payouts.intervalSeconds, () => payoutRun(() => payments.run()));
    if (leadership && lead) {
      // Renewed four times per lease period, never behind a running job (a slow payout run must not let
      // the lead lapse); on taking the lead, every job runs at once.
      let led = false;
      const check = () => {
        if (closed) return;
        const renewal = leadership
          .check()
          .then((now) => {
            if (now && !led && !closed) void runAll();
            led = now;
          })
          .catch((err) => logger.error({ err }, 'accounting: the leader check failed'));
        running.add(renewal);
        void renewal.finally(() => {
          running.delete(renewal);
          later(check, lead.leaseMs / 4);
        });
      };
      check();
    }
  };
  if (!o.ready) schedule();
  else {
    logger.warn(
      'accounting: waiting for the database (blocks, credits and payouts start once it is reachable)',
    );
    void o.ready.then(() => {
      if (closed) return;
      logger.info('accounting: the database is reachable; blocks, credits and payouts start');
      schedule();
    });
  }
  logger.info(
    { scheme: c.scheme, confirmations, payouts: payments !== null },
    `accounting: ${c.scheme.toUpperCase()}, blocks confirmed after ${confirmations} confirmations${payments ? '' : ', payouts off'}`,
  );

  return {
    events,
    tracker,
    pps,
    payments,
    get leading() {
      return leadership ? leadership.leading : true;
    },
    async runOnce() {
      await o.ready;
      if (leadership) await leadership.check();
      await runAll();
    },
    async close() {
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      // Until nothing runs: a job chained behind one that was running may have started meanwhile.
      while (running.size > 0) await Promise.allSettled([...running]);
      await ownLeadership?.release(); // a shared lead is released by its owner, once
    },
  };
}
