import type { Asset, EmissionInfo, ErgoTransaction, TxOutput } from '../ergo/index.ts';
import {
  COINS_TOTAL,
  issuedCoinsAfterHeight,
  minerRewardAt,
  minerRewardErgoTree,
  minersRewardAtHeight,
  REEMISSION_TOKEN_ID,
  reemissionForHeight,
  stringifyNodeJson,
} from '../ergo/index.ts';
import { type DeterministicRandom, hashHex } from './random.ts';

/** The fee contract every transaction pays its fee to (miner takes it after the reward delay). */
export const FEE_ERGO_TREE =
  '1005040004000e36100204a00b08cd0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798ea02d192a39a8cc7a701730073011001020402d19683030193a38cc7b2a57300000193c2b2a57301007473027303830108cdeeac93b1a57304';

/** Mainnet emission contract (the box every emission transaction spends and recreates). */
export const EMISSION_ERGO_TREE =
  '101004020e36100204a00b08cd0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798ea02d192a39a8cc7a7017300730110010204020404040004c0fd4f05808c82f5f6030580b8c9e5ae040580f882ad16040204c0944004c0f407040004000580f882ad16d19683030191a38cc7a7019683020193c2b2a57300007473017302830108cdeeac93a38cc7b2a573030001978302019683040193b1a5730493c2a7c2b2a573050093958fa3730673079973089c73097e9a730a9d99a3730b730c0599c1a7c1b2a5730d00938cc7b2a5730e0001a390c1a7730f';

/** EIP-27 pay-to-reemission contract: spending a reward box forwards its re-emission tokens' ERG here. */
export const PAY_TO_REEMISSION_ADDRESS =
  '6KxusedL87PBibr1t1f4ggzAyTAmWEPqSpqXbkdoybNwHVw5Nb7cUESBmQw5XK8TyvbQiueyqkR9XMNaUgpWx3jT54p';

/** The wallet's default fee (node wallet.defaultTransactionFee). */
export const DEFAULT_FEE = 1_000_000n;

export function p2pkErgoTree(publicKeyHex: string): string {
  return `0008cd${publicKeyHex.toLowerCase()}`;
}

export interface OutputSpec {
  value: bigint;
  ergoTree: string;
  creationHeight: number;
  assets?: Asset[];
  additionalRegisters?: Record<string, string>;
}

/** Approximate serialized size in bytes (the node's exact byte size needs the full serializer). */
function estimateSize(inputs: number, outputs: readonly OutputSpec[]): number {
  let size = 4 + inputs * 34;
  for (const o of outputs) size += 14 + o.ergoTree.length / 2 + (o.assets?.length ?? 0) * 40;
  return size;
}

/** A transaction with deterministic ids: the tx id hashes inputs and outputs, box id = hash(tx id, index). */
export function makeTransaction(
  inputBoxIds: readonly string[],
  outputs: readonly OutputSpec[],
): ErgoTransaction {
  const core = outputs.map((o) => ({
    value: o.value,
    ergoTree: o.ergoTree,
    assets: o.assets ?? [],
    creationHeight: o.creationHeight,
    additionalRegisters: o.additionalRegisters ?? {},
  }));
  const id = hashHex('tx', stringifyNodeJson({ inputs: inputBoxIds, outputs: core }));
  return {
    id,
    inputs: inputBoxIds.map((boxId) => ({ boxId, spendingProof: { proofBytes: '', extension: {} } })),
    dataInputs: [],
    outputs: core.map(
      (o, index): TxOutput => ({
        boxId: hashHex('box', id, index),
        value: o.value,
        ergoTree: o.ergoTree,
        assets: o.assets.map((a) => ({ tokenId: a.tokenId, amount: a.amount })),
        creationHeight: o.creationHeight,
        additionalRegisters: o.additionalRegisters,
        transactionId: id,
        index,
      }),
    ),
    size: estimateSize(inputBoxIds.length, outputs),
  };
}

/**
 * The emission transaction of block h (CandidateGenerator.collectRewards): spends the emission box and
 * recreates it, output[1] pays the block's miner through the reward script, carrying EIP-27 re-emission
 * tokens when due.
 */
export function emissionTransaction(
  height: number,
  emissionBoxId: string,
  minerPk: string,
  rewardDelay: number,
): ErgoTransaction {
  const reward = minerRewardAt(height);
  const remaining = COINS_TOTAL - issuedCoinsAfterHeight(height);
  return makeTransaction(
    [emissionBoxId],
    [
      { value: remaining > 0n ? remaining : 0n, ergoTree: EMISSION_ERGO_TREE, creationHeight: height },
      {
        value: reward.gross,
        ergoTree: minerRewardErgoTree(minerPk, rewardDelay),
        creationHeight: height,
        assets:
          reward.reemissionTokens > 0n
            ? [{ tokenId: REEMISSION_TOKEN_ID, amount: reward.reemissionTokens }]
            : [],
      },
    ],
  );
}

/** Fee outputs of transactions (what the block's fee-collection tx spends). */
export function feeOutputs(txs: readonly ErgoTransaction[]): TxOutput[] {
  return txs.flatMap((tx) => tx.outputs.filter((o) => o.ergoTree === FEE_ERGO_TREE));
}

/** The fee-collection tx: spends every fee output of the block's txs into one reward-script box. */
export function feeTransaction(
  height: number,
  fees: readonly TxOutput[],
  minerPk: string,
  rewardDelay: number,
): ErgoTransaction | null {
  const total = fees.reduce((sum, o) => sum + o.value, 0n);
  if (fees.length === 0 || total === 0n) return null;
  return makeTransaction(
    fees.map((o) => o.boxId),
    [{ value: total, ergoTree: minerRewardErgoTree(minerPk, rewardDelay), creationHeight: height }],
  );
}

/** A transfer between strangers paying a fee of 0.001–0.002 ERG (what mempool traffic looks like). */
export function strangerTransaction(rng: DeterministicRandom, height: number): ErgoTransaction {
  const fee = DEFAULT_FEE + BigInt(rng.int('fee', 1_000_000));
  const value = 1_000_000_000n * BigInt(1 + rng.int('value', 100));
  const payee = rng.keyPair('payee').publicKey;
  return makeTransaction(
    [rng.hex32('input')],
    [
      { value, ergoTree: p2pkErgoTree(payee), creationHeight: height },
      { value: fee, ergoTree: FEE_ERGO_TREE, creationHeight: height },
    ],
  );
}

/** The user transactions of a block: everything but the emission tx (first) and the fee-collection tx. */
export function userTransactions(txs: readonly ErgoTransaction[]): ErgoTransaction[] {
  const fees = new Set(feeOutputs(txs).map((o) => o.boxId));
  return txs.slice(1).filter((tx) => tx.inputs.length === 0 || !tx.inputs.every((i) => fees.has(i.boxId)));
}

/** GET /emission/at/{h} (node EmissionApiRoute: minerReward is net of re-emission). */
export function emissionInfo(height: number): EmissionInfo {
  const reemitted = reemissionForHeight(height);
  const issued = issuedCoinsAfterHeight(height);
  return {
    height,
    minerReward: minersRewardAtHeight(height) - reemitted,
    totalCoinsIssued: issued,
    totalRemainCoins: COINS_TOTAL - issued,
    reemitted,
  };
}
