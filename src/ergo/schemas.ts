import { z } from 'zod';
import { NodeResponseError } from './errors.ts';
import type {
  AddressValidity,
  Asset,
  BlockHeader,
  BlockTransactions,
  EmissionInfo,
  ErgoTransaction,
  FullBlock,
  NodeInfo,
  NodeParameters,
  TxInput,
  TxOutput,
  WalletBalances,
  WalletStatus,
  WalletTransaction,
  WorkMessage,
} from './wire.ts';

/**
 * Response validation: the node's JSON (parsed by parseNodeJson, so big integers may arrive as number or
 * bigint) checked and normalised to the wire types. Every big integer becomes an exact bigint; a value
 * that does not fit its field is a NodeResponseError naming the JSON path. Objects keep unknown fields.
 */

/** An exact integer of any size: bigint, a safe-integer number, or a decimal string. Never via a double. */
export const bigInteger = z.unknown().transform((value, ctx): bigint => {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value);
  ctx.addIssue({ code: 'custom', message: `must be an integer, got ${describe(value)}` });
  return z.NEVER;
});

/** A non-negative big integer (amounts, targets, difficulties). */
const amount = bigInteger.refine((v) => v >= 0n, 'must not be negative');

const int = z.number().int();
const hex = z.string().regex(/^[0-9a-fA-F]*$/, 'must be hex');
const hex32 = z
  .string()
  .regex(/^[0-9a-fA-F]{64}$/, 'must be 32 bytes of hex')
  .transform((s) => s.toLowerCase());

/** Present and null, or absent: both null. */
function orNull<T extends z.ZodType>(schema: T) {
  return schema.nullish().transform((v) => v ?? null);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  if (typeof value === 'object') return Array.isArray(value) ? 'an array' : 'an object';
  return `${typeof value} ${String(value)}`;
}

/** "outputs[2].value" from a zod issue path. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

/** Validates `value` against `schema`; throws NodeResponseError naming the first bad field. */
export function decode<T>(schema: z.ZodType<T>, value: unknown, node: string, route: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue ? formatPath(issue.path) : '';
  const problem = issue ? issue.message : 'invalid';
  throw new NodeResponseError(node, route, field, problem);
}

export const workMessageSchema: z.ZodType<WorkMessage> = z.looseObject({
  msg: hex32,
  b: amount.refine((v) => v > 0n, 'must be positive'),
  h: int.nonnegative(),
  pk: hex,
  proof: z.unknown().optional(),
});

const parametersSchema: z.ZodType<NodeParameters> = z.looseObject({
  height: int,
  blockVersion: int,
  storageFeeFactor: int.optional(),
  minValuePerByte: int.optional(),
  maxBlockSize: int.optional(),
  maxBlockCost: int.optional(),
  tokenAccessCost: int.optional(),
  inputCost: int.optional(),
  dataInputCost: int.optional(),
  outputCost: int.optional(),
});

/**
 * /info. What the pool relies on (heights, peers, difficulty, block version) is required; purely
 * informational fields default when a node version omits them, so a missing one never marks a node down.
 */
export const nodeInfoSchema: z.ZodType<NodeInfo> = z.looseObject({
  name: z.string(),
  appVersion: z.string().default(''),
  network: z.string(),
  headersHeight: orNull(int),
  fullHeight: orNull(int),
  maxPeerHeight: orNull(int),
  bestHeaderId: orNull(z.string()),
  bestFullHeaderId: orNull(z.string()),
  previousFullHeaderId: orNull(z.string()),
  difficulty: orNull(amount),
  headersScore: orNull(amount),
  fullBlocksScore: orNull(amount),
  unconfirmedCount: int.default(0),
  stateRoot: orNull(z.string()),
  stateType: z.string().default(''),
  stateVersion: orNull(z.string()),
  isMining: z.boolean().default(false),
  isExplorer: z.boolean().default(false),
  peersCount: int.nonnegative(),
  launchTime: int.default(0),
  lastSeenMessageTime: orNull(int),
  lastMemPoolUpdateTime: int.default(0),
  genesisBlockId: orNull(z.string()),
  parameters: parametersSchema,
  eip27Supported: z.boolean().default(false),
  eip37Supported: z.boolean().default(false),
  restApiUrl: z.string().optional(),
});

export const assetSchema: z.ZodType<Asset> = z.looseObject({ tokenId: hex32, amount });

const registers = z.record(z.string(), z.string()).default({});

const inputSchema: z.ZodType<TxInput> = z.looseObject({
  boxId: z.string(),
  spendingProof: z.looseObject({
    proofBytes: z.string(),
    extension: z.record(z.string(), z.string()).default({}),
  }),
});

const outputFields = {
  boxId: z.string(),
  value: amount,
  ergoTree: hex,
  assets: z.array(assetSchema).default([]),
  creationHeight: int,
  additionalRegisters: registers,
};

const outputSchema: z.ZodType<TxOutput> = z.looseObject({
  ...outputFields,
  transactionId: z.string(),
  index: int,
});

export const transactionSchema: z.ZodType<ErgoTransaction> = z.looseObject({
  id: z.string(),
  inputs: z.array(inputSchema),
  dataInputs: z.array(z.looseObject({ boxId: z.string() })).default([]),
  outputs: z.array(outputSchema),
  size: int,
});

export const blockHeaderSchema: z.ZodType<BlockHeader> = z.looseObject({
  id: hex32,
  parentId: z.string(),
  adProofsRoot: z.string(),
  transactionsRoot: z.string(),
  stateRoot: z.string(),
  timestamp: int,
  extensionHash: z.string(),
  nBits: int,
  height: int,
  /** The node writes the header difficulty as a decimal string; a number is accepted and kept exact. */
  difficulty: z.union([z.string().regex(/^\d+$/, 'must be a decimal integer'), amount]).transform(String),
  version: int,
  votes: z.string(),
  unparsedBytes: z.string().optional(),
  powSolutions: z.looseObject({
    pk: z.string(),
    w: z.string().optional(),
    n: z.string(),
    d: z.union([z.string(), amount]).optional(),
  }),
  size: int,
  extensionId: z.string(),
  transactionsId: z.string(),
  adProofsId: z.string(),
});

export const blockTransactionsSchema: z.ZodType<BlockTransactions> = z.looseObject({
  headerId: z.string(),
  transactions: z.array(transactionSchema),
  size: int,
});

export const fullBlockSchema: z.ZodType<FullBlock> = z.looseObject({
  header: blockHeaderSchema,
  blockTransactions: blockTransactionsSchema,
  extension: z.looseObject({
    headerId: z.string(),
    digest: z.string(),
    fields: z.array(z.tuple([z.string(), z.string()])),
  }),
  adProofs: orNull(z.looseObject({ headerId: z.string(), proofBytes: z.string(), digest: z.string() })),
  size: int,
});

export const emissionSchema: z.ZodType<EmissionInfo> = z.looseObject({
  height: int,
  minerReward: amount,
  totalCoinsIssued: amount,
  totalRemainCoins: amount,
  reemitted: amount,
});

export const addressValiditySchema: z.ZodType<AddressValidity> = z.looseObject({
  address: z.string(),
  isValid: z.boolean(),
  error: z.string().optional(),
});

export const walletStatusSchema: z.ZodType<WalletStatus> = z.looseObject({
  isInitialized: z.boolean(),
  isUnlocked: z.boolean(),
  changeAddress: z.string().default(''),
  walletHeight: int,
  error: z.string().default(''),
});

export const walletBalancesSchema: z.ZodType<WalletBalances> = z.looseObject({
  height: int,
  balance: amount,
  /** The node writes assets as a JSON map tokenId → amount (ApiNodeViewCodecs). */
  assets: z.record(z.string(), amount).default({}),
});

/**
 * Wallet transactions (AugWalletTransaction, node 6.0.4): outputs carry `address` (null when the tree has no
 * address) and lack `transactionId`/`index`; both are filled in from the transaction, `address` null as ''.
 */
export const walletTransactionSchema: z.ZodType<WalletTransaction> = z
  .looseObject({
    id: z.string(),
    inputs: z.array(inputSchema),
    dataInputs: z.array(z.looseObject({ boxId: z.string() })).default([]),
    outputs: z.array(
      z.looseObject({
        ...outputFields,
        address: orNull(z.string()),
        transactionId: z.string().optional(),
        index: int.optional(),
      }),
    ),
    size: int,
    inclusionHeight: int,
    numConfirmations: int,
    scans: z.array(int).default([]),
  })
  .transform((tx) => ({
    ...tx,
    outputs: tx.outputs.map((o, index) => ({
      ...o,
      address: o.address ?? '',
      transactionId: o.transactionId ?? tx.id,
      index: o.index ?? index,
    })),
  }));

export const stringArraySchema = z.array(z.string());
export const headerIdsSchema = z.array(hex32);
/** POST /wallet/payment/send and /wallet/transaction/send answer with the tx id as a JSON string. */
export const txIdSchema = hex32;
export const rewardAddressSchema = z.looseObject({ rewardAddress: z.string().min(1) });
export const rewardPubkeySchema = z.looseObject({
  rewardPubkey: z
    .string()
    .regex(/^0[23][0-9a-fA-F]{64}$/, 'must be a 33-byte compressed public key')
    .transform((s) => s.toLowerCase()),
});
