import type { Logger } from 'pino';
import { acquireLease, type Lease, releaseLease, type Sql } from '../db/index.ts';

export const ACCOUNTING_LEASE = 'accounting';
const PAYOUT_LEASE = 'payouts';

export interface LeadershipOptions {
  db: Sql;
  /** This instance's name in the lease (unique per instance). */
  holder: string;
  /** How long the lead lasts without a renewal: a dead leader is replaced after at most this long. */
  leaseMs: number;
  logger: Logger;
  now?: () => number;
}

/**
 * Which accounting instance leads: the one holding the `accounting` lease in PostgreSQL. Every instance
 * checks (takes or renews) it a few times per lease period; a leader that dies is replaced once its lease
 * expires. Only the leader tracks blocks, credits and pays; payouts are fenced on top by their own lease.
 */
export class Leadership {
  private held: Lease | null = null;
  /** When the lease was last taken or renewed: the lead lapses locally with it, even if a renewal hangs. */
  private renewedAt = 0;
  /** The dead leader's payout lease is still to be ended (the statement failed; retried at each check). */
  private payoutLeaseToEnd = false;
  private announced = false;
  private readonly now: () => number;

  constructor(private readonly o: LeadershipOptions) {
    this.now = o.now ?? Date.now;
  }

  /** True while the lease is held and, by this process's clock, not yet expired (a margin of a tenth). */
  get leading(): boolean {
    return this.held !== null && this.now() < this.renewedAt + this.o.leaseMs * 0.9;
  }

  get lease(): Lease | null {
    return this.held;
  }

  /**
   * Takes or renews the lead; true while this instance leads. Never throws: a database error (or a renewal
   * slower than the lease) counts as not leading, which keeps two leaders impossible.
   */
  async check(): Promise<boolean> {
    const before = this.leading ? this.held : null;
    const asked = this.now();
    let now: Lease | null;
    try {
      now = await withTimeout(
        acquireLease(this.o.db, ACCOUNTING_LEASE, this.o.holder, this.o.leaseMs),
        this.o.leaseMs / 2,
      );
    } catch (err) {
      if (before) this.o.logger.warn({ err }, 'accounting: cannot renew the lead (database); standing by');
      this.held = null;
      return false;
    }
    this.held = now;
    this.renewedAt = asked;
    if (now && (!before || before.token !== now.token)) {
      this.payoutLeaseToEnd = true;
      this.o.logger.info(
        { lease: ACCOUNTING_LEASE, token: now.token.toString() },
        `accounting: this instance (${this.o.holder}) leads: blocks, credits and payouts run here`,
      );
    } else if (!now && before)
      this.o.logger.warn(
        `accounting: another instance took the lead from ${this.o.holder}; this one stands by`,
      );
    else if (!now && !this.announced)
      this.o.logger.info(`accounting: another instance leads; ${this.o.holder} stands by to take over`);
    this.announced = true;
    if (now && this.payoutLeaseToEnd) {
      // The previous leader is gone (its lease expired): a payout run it left unfinished keeps the payout
      // lease for long, so it is ended here. Its fenced writes fail from now on; what it sent is reconciled.
      try {
        await this.o.db.query(
          `UPDATE leases SET expires_at = now() - interval '1 second' WHERE name = $1 AND holder <> $2`,
          [PAYOUT_LEASE, this.o.holder],
        );
        this.payoutLeaseToEnd = false;
      } catch (err) {
        this.o.logger.warn({ err }, 'accounting: the previous leader’s payout lease not ended yet (retried)');
      }
    }
    return this.leading;
  }

  /** Gives the lead up at a clean shutdown, so a standby takes over at its next check. */
  async release(): Promise<void> {
    const lease = this.held;
    this.held = null;
    if (lease) await releaseLease(this.o.db, lease).catch(() => undefined);
  }
}

/** Rejects when `promise` takes longer than `ms` (the query itself may still finish; its result is ignored). */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
