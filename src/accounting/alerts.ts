import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';

/** Something an operator must look at: accounting stopped short of a decision it cannot make alone. */
export type AlertKind =
  /** A payment's transaction is in no node's mempool nor on the chain, and nothing proves it can never confirm. */
  | 'payment-in-doubt'
  /** A payment's inputs were spent by another transaction: it can never confirm and is paid again. */
  | 'payment-double-spent'
  /** The ledger invariants failed before a payout run: nothing is paid until they hold. */
  | 'ledger-invariants'
  /** Another instance took the payout lease while this one was paying: this run stopped. */
  | 'payout-lease-lost'
  /** Crediting waits for a pool instance that has not reported its shipped shares for a long time. */
  | 'instance-lagging';

export interface AccountingAlert {
  kind: AlertKind;
  message: string;
  details: Record<string, unknown>;
  at: Date;
}

export interface AccountingEvents {
  alert: [AccountingAlert];
}

export type Alert = (kind: AlertKind, message: string, details?: Record<string, unknown>) => void;

/**
 * The alert channel: every alert is one structured error log line and an 'alert' event that the
 * notifications layer can subscribe to (a throwing listener is logged, never thrown into accounting).
 */
export function alertChannel(logger: Logger, events: EventEmitter<AccountingEvents> = new EventEmitter()) {
  const alert: Alert = (kind, message, details = {}) => {
    const a: AccountingAlert = { kind, message, details, at: new Date() };
    logger.error({ alert: kind, ...details }, message);
    try {
      events.emit('alert', a);
    } catch (err) {
      logger.error({ err }, 'accounting alert listener failed');
    }
  };
  return { events, alert };
}
