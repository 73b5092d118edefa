import type { HeaderJson } from '../autolykos/index.ts';

/**
 * JSON shapes of the Ergo node REST API (openapi 6.0.4 and the node's codecs), as the pool uses them.
 * Big integers are bigint after parsing (see json.ts); heights and counts are numbers.
 */

/** Error body of every failed node request (ApiError.scala). */
export interface NodeErrorBody {
  error: number;
  reason: string;
  detail: string | null;
}

/** GET /mining/candidate */
export interface WorkMessage {
  msg: string;
  b: bigint;
  h: number;
  pk: string;
  proof?: unknown;
}

/** POST /mining/solution body (Autolykos v2: only n matters). */
export interface PowSolution {
  n: string;
  pk?: string;
  w?: string;
  d?: number;
}

export interface NodeParameters {
  height: number;
  blockVersion: number;
  storageFeeFactor?: number;
  minValuePerByte?: number;
  maxBlockSize?: number;
  maxBlockCost?: number;
  tokenAccessCost?: number;
  inputCost?: number;
  dataInputCost?: number;
  outputCost?: number;
}

/** GET /info (ErgoStatsCollector.NodeInfo); heights and ids are null on a fresh node. */
export interface NodeInfo {
  name: string;
  appVersion: string;
  network: string;
  headersHeight: number | null;
  fullHeight: number | null;
  maxPeerHeight: number | null;
  bestHeaderId: string | null;
  bestFullHeaderId: string | null;
  previousFullHeaderId: string | null;
  difficulty: bigint | null;
  headersScore: bigint | null;
  fullBlocksScore: bigint | null;
  unconfirmedCount: number;
  stateRoot: string | null;
  stateType: string;
  stateVersion: string | null;
  isMining: boolean;
  isExplorer: boolean;
  peersCount: number;
  launchTime: number;
  lastSeenMessageTime: number | null;
  lastMemPoolUpdateTime: number;
  genesisBlockId: string | null;
  parameters: NodeParameters;
  eip27Supported: boolean;
  eip37Supported: boolean;
  restApiUrl?: string;
}

/** A block header as /blocks/{id}/header returns it. */
export interface BlockHeader extends HeaderJson {
  id: string;
  difficulty: string;
  size: number;
  extensionId: string;
  transactionsId: string;
  adProofsId: string;
}

export interface Asset {
  tokenId: string;
  amount: bigint;
}

export interface TxInput {
  boxId: string;
  spendingProof: { proofBytes: string; extension: Record<string, string> };
}

export interface TxOutput {
  boxId: string;
  value: bigint;
  ergoTree: string;
  assets: Asset[];
  creationHeight: number;
  additionalRegisters: Record<string, string>;
  transactionId: string;
  index: number;
}

export interface ErgoTransaction {
  id: string;
  inputs: TxInput[];
  dataInputs: { boxId: string }[];
  outputs: TxOutput[];
  size: number;
}

/** GET /blocks/{id}/transactions */
export interface BlockTransactions {
  headerId: string;
  transactions: ErgoTransaction[];
  size: number;
}

/** GET /blocks/{id} */
export interface FullBlock {
  header: BlockHeader;
  blockTransactions: BlockTransactions;
  extension: { headerId: string; digest: string; fields: [string, string][] };
  adProofs: { headerId: string; proofBytes: string; digest: string } | null;
  size: number;
}

/** GET /emission/at/{h} */
export interface EmissionInfo {
  height: number;
  minerReward: bigint;
  totalCoinsIssued: bigint;
  totalRemainCoins: bigint;
  reemitted: bigint;
}

/** GET /utils/address/{address} */
export interface AddressValidity {
  address: string;
  isValid: boolean;
  error?: string;
}

/** GET /wallet/status */
export interface WalletStatus {
  isInitialized: boolean;
  isUnlocked: boolean;
  changeAddress: string;
  walletHeight: number;
  error: string;
}

/** GET /wallet/balances */
export interface WalletBalances {
  height: number;
  balance: bigint;
  assets: Record<string, bigint>;
}

/** One output of POST /wallet/payment/send (value in nanoERG). */
export interface PaymentRequest {
  address: string;
  value: bigint;
  assets?: Asset[];
  registers?: Record<string, string>;
}

/** POST /wallet/transaction/send body. */
export interface TransactionRequest {
  requests: PaymentRequest[];
  fee?: bigint;
  inputsRaw?: string[];
  dataInputsRaw?: string[];
}

export interface WalletOutput extends TxOutput {
  address: string;
}

/** GET /wallet/transactionById and the items of /wallet/transactions. */
export interface WalletTransaction {
  id: string;
  inputs: TxInput[];
  dataInputs: { boxId: string }[];
  outputs: WalletOutput[];
  size: number;
  inclusionHeight: number;
  numConfirmations: number;
  scans: number[];
}

/** GET /transactions/unconfirmed items. */
export type UnconfirmedTransaction = ErgoTransaction;
