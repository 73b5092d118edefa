import {
  blake2b256,
  blockTarget,
  bytesToHex,
  decodeCompactBits,
  type HeaderJson,
  headerIdHex,
  headerMsg,
  hexToBytes,
} from '../autolykos/index.ts';
import type { BlockHeader, ErgoTransaction, FullBlock } from '../ergo/index.ts';
import { hashHex } from './random.ts';
import { emissionTransaction, feeOutputs, feeTransaction } from './transactions.ts';

/** powSolutions.w of every Autolykos v2 header: the secp256k1 generator. */
export const GENERATOR_HEX = '0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798';
export const BLOCK_VERSION = 3;
const HEADER_SIZE = 221;

/** A block as the devnet keeps it: the node's header JSON, its transactions and who found it. */
export interface StoredBlock {
  header: BlockHeader;
  transactions: ErgoTransaction[];
  extensionFields: [string, string][];
  byPool: boolean;
  /** Cumulative difficulty through this block (headersScore / fullBlocksScore). */
  score: bigint;
}

/** A block without its PoW: what /mining/candidate hands out (msg, b) and a solution completes. */
export interface BlockTemplate {
  header: HeaderJson;
  transactions: ErgoTransaction[];
  extensionFields: [string, string][];
  minerPk: string;
  byPool: boolean;
  msg: string;
  difficulty: bigint;
  b: bigint;
  parentScore: bigint;
  /** Id of the block a solution of this template produced (then "Block already solved"). */
  solvedId: string | null;
}

export interface TemplateInput {
  parentId: string;
  /** Parent's state root and emission box (random for the synthesized first block). */
  parentStateRoot: string;
  emissionBoxId: string;
  parentScore: bigint;
  height: number;
  timestamp: number;
  nBits: number;
  minerPk: string;
  byPool: boolean;
  rewardDelay: number;
  /** Mempool transactions to include after the emission tx (their fees are collected in a fee tx). */
  mempool: readonly ErgoTransaction[];
}

/** Assembles the next block's transactions and header fields (node CandidateGenerator, simplified). */
export function buildTemplate(input: TemplateInput): BlockTemplate {
  const emission = emissionTransaction(input.height, input.emissionBoxId, input.minerPk, input.rewardDelay);
  const fee = feeTransaction(input.height, feeOutputs(input.mempool), input.minerPk, input.rewardDelay);
  const transactions = [emission, ...input.mempool, ...(fee ? [fee] : [])];
  const transactionsRoot = hashHex('transactionsRoot', ...transactions.map((t) => t.id));
  const extensionFields: [string, string][] = [
    ['0100', `01${hashHex('interlinks', input.parentId)}`],
    ['0101', `05${hashHex('interlinks-2', input.parentId)}`],
  ];
  const header: HeaderJson = {
    version: BLOCK_VERSION,
    parentId: input.parentId,
    adProofsRoot: hashHex('adProofsRoot', input.parentStateRoot, transactionsRoot),
    transactionsRoot,
    stateRoot: `${hashHex('stateRoot', input.parentStateRoot, transactionsRoot)}19`,
    timestamp: input.timestamp,
    extensionHash: hashHex('extension', ...extensionFields.flat()),
    nBits: input.nBits,
    height: input.height,
    votes: '000000',
    unparsedBytes: '',
    powSolutions: { pk: input.minerPk, w: GENERATOR_HEX, n: '0000000000000000', d: 0 },
  };
  const difficulty = decodeCompactBits(input.nBits);
  return {
    header,
    transactions,
    extensionFields,
    minerPk: input.minerPk,
    byPool: input.byPool,
    msg: bytesToHex(headerMsg(header)),
    difficulty,
    b: blockTarget(difficulty),
    parentScore: input.parentScore,
    solvedId: null,
  };
}

/** Section ids of a block: blake2b256(typeId ‖ headerId ‖ digest) (node NonHeaderBlockSection). */
function sectionId(typeId: number, headerId: string, digest: string): string {
  return bytesToHex(
    blake2b256(hexToBytes(`${typeId.toString(16).padStart(2, '0')}${headerId}${digest}`, 'section')),
  );
}

/** Completes a template with a nonce: the header id is headerIdHex (pk ‖ nonce), as the node computes it. */
export function sealBlock(template: BlockTemplate, nonceHex: string): StoredBlock {
  const base: HeaderJson = {
    ...template.header,
    powSolutions: { pk: template.minerPk, w: GENERATOR_HEX, n: nonceHex.toLowerCase(), d: 0 },
  };
  const id = headerIdHex(base);
  const header: BlockHeader = {
    ...base,
    id,
    difficulty: template.difficulty.toString(),
    size: HEADER_SIZE,
    extensionId: sectionId(108, id, base.extensionHash),
    transactionsId: sectionId(102, id, base.transactionsRoot),
    adProofsId: sectionId(104, id, base.adProofsRoot),
  };
  return {
    header,
    transactions: template.transactions,
    extensionFields: template.extensionFields,
    byPool: template.byPool,
    score: template.parentScore + template.difficulty,
  };
}

export function transactionsSize(block: StoredBlock): number {
  return block.transactions.reduce((sum, tx) => sum + tx.size, 0) + 3;
}

/** GET /blocks/{id} */
export function fullBlockJson(
  block: StoredBlock,
): FullBlock & { blockTransactions: { blockVersion: number } } {
  const id = block.header.id;
  const txSize = transactionsSize(block);
  const extSize = 2 + block.extensionFields.length * 36;
  return {
    header: block.header,
    blockTransactions: {
      headerId: id,
      transactions: block.transactions,
      blockVersion: BLOCK_VERSION,
      size: txSize,
    },
    extension: { headerId: id, digest: block.header.extensionHash, fields: block.extensionFields },
    adProofs: null,
    size: HEADER_SIZE + txSize + extSize,
  };
}
