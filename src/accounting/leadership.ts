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
}

/**
 * Which accounting instance leads: the one holding the `accounting` lease in PostgreSQL. Every instance
 * checks (takes or renews) it a few times per lease period; a leader that dies is replaced once its lease
 * expires. Only the leader tracks blocks, credits and pays; payouts are fenced on top by their own lease.
 */
export class Leadership {
  private held: Lease | null = null;
  private announced = false;

  constructor(private readonly o: LeadershipOptions) {}

  get leading(): boolean {
    return this.held !== null;
  }

  get lease(): Lease | null {
    return this.held;
  }

  /** Takes or renews the lead; true while this instance leads. A database error counts as not leading. */
  async check(): Promise<boolean> {
    const before = this.held;
    let now: Lease | null;
    try {
      now = await acquireLease(this.o.db, ACCOUNTING_LEASE, this.o.holder, this.o.leaseMs);
    } catch (err) {
      // Without the database nothing can be credited anyway; stepping down keeps two leaders impossible.
      if (before) this.o.logger.warn({ err }, 'accounting: cannot renew the lead (database); standing by');
      this.held = null;
      return false;
    }
    this.held = now;
    if (now && (!before || before.token !== now.token)) {
      // The previous leader is gone (its lease expired): a payout run it left unfinished keeps the payout
      // lease for long, so it is ended here. Its fenced writes fail from now on; what it sent is reconciled.
      await this.o.db.query(
        `UPDATE leases SET expires_at = now() - interval '1 second' WHERE name = $1 AND holder <> $2`,
        [PAYOUT_LEASE, this.o.holder],
      );
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
    return now !== null;
  }

  /** Gives the lead up at a clean shutdown, so a standby takes over at its next check. */
  async release(): Promise<void> {
    const lease = this.held;
    this.held = null;
    if (lease) await releaseLease(this.o.db, lease).catch(() => undefined);
  }
}
