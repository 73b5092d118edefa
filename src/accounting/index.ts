/**
 * Accounting: the exact, pure core (schemes, block classification, ledger rules and invariants, payout
 * planning) and the thin I/O around it. Money is integer nanoERG (bigint), weights are exact ratios.
 */
export {
  type AccountingAlert,
  type AccountingEvents,
  type AlertKind,
  alertChannel,
} from './alerts.ts';
export {
  apportion,
  type Claim,
  type Credit,
  type CreditKind,
  compareParty,
  creditTotal,
} from './apportion.ts';
export { blockEffort, type CreditableBlock, type CreditSettings, creditBlock } from './block-credit.ts';
export {
  BlockTracker,
  type BlockTrackerOptions,
  type TrackerReport,
} from './block-tracker.ts';
export {
  type BlockReward,
  type BlockStatus,
  type ChainView,
  type Classification,
  type ClassifyRules,
  classifyBlock,
  DEFAULT_CLASSIFY_RULES,
  type PoolBlockRef,
} from './classify.ts';
export {
  type AccountingConfig,
  accountingConfigSchema,
  defaultAccountingConfig,
  ergToNano,
  feesOf,
  payoutRulesOf,
} from './config.ts';
export { ergText, parseDecimal, ratioText } from './exact.ts';
export { type FeeRecipient, type FeeRecipientConfig, type FeeSchedule, NO_FEE, parseFees } from './fees.ts';
export {
  assertLedger,
  checkLedger,
  checkPoolLedgers,
  LedgerInvariantError,
  type LedgerSnapshot,
  type PoolLedgers,
} from './invariants.ts';
export {
  type Balance,
  balancesOf,
  blockCreditEntries,
  creditedOf,
  emptyBalance,
  LEDGER_KINDS,
  type LedgerBlock,
  type LedgerEntry,
  type LedgerKind,
  type LedgerPayment,
  type PaymentStatus,
  payoutEntries,
  ppsEntries,
  reversalEntries,
} from './ledger.ts';
export { doubleSpender, type MempoolNode } from './payment-doubt.ts';
export {
  findPaymentTransaction,
  paysOutputs,
  type RequestedOutput,
  type StoredRequest,
} from './payment-match.ts';
export {
  type PaymentHooks,
  PaymentRunner,
  type PaymentRunnerOptions,
  type PayoutReport,
  type WalletNode,
} from './payment-runner.ts';
export { abandonPayment, LeaseLostError, takePayoutLease } from './payment-store.ts';
export {
  checkPayoutRules,
  DEFAULT_PAYOUT_RULES,
  NODE_TX_FEE,
  type PayoutCandidate,
  type PayoutPlan,
  type PayoutRules,
  type PlannedBatch,
  type PlannedOutput,
  planPayouts,
} from './payouts.ts';
export { type CreditShare, PplnsWindow, type WindowSummary } from './pplns.ts';
export { type PpsInput, type PpsResult, type PpsShare, ppsCredits } from './pps.ts';
export { type PpsPeriod, PpsRunner, type PpsRunnerOptions } from './pps-runner.ts';
export {
  type BlockCreditInput,
  type BlockCredits,
  isInternalAccount,
  PAYOUT_SCHEMES,
  type PayoutScheme,
  POOL_ACCOUNT,
  pplnsCredits,
  ppsBlockCredits,
  propCredits,
  soloCredits,
  splitReward,
} from './schemes.ts';
export {
  type Accounting,
  type AccountingOptions,
  type AccountingShared,
  sharedAccounting,
  startAccounting,
} from './service.ts';
export {
  checkPayoutThreshold,
  MAX_PAYOUT_THRESHOLD,
  PayoutThresholdError,
  setPayoutThreshold,
} from './settings.ts';
export { checkDatabaseLedger, loadLedgerSnapshot, loadPoolLedgers } from './snapshot.ts';
export {
  checkShareWeight,
  roundEffort,
  type ShareWeight,
  shareWeight,
  WeightSum,
} from './weights.ts';
