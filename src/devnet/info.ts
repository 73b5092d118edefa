import { decodeCompactBits } from '../autolykos/index.ts';
import type { NodeInfo, NodeParameters } from '../ergo/index.ts';
import { hashHex } from './random.ts';
import type { Simulation } from './simulation.ts';

export const APP_VERSION = '6.0.4';
const MAINNET_GENESIS_ID = 'b0244dfc267baca974a4caee06120321562784303a8a688976ae56170e4d175b';
const VOTING_EPOCH = 1024;

/** GET /info of a node whose full blocks reach `fullHeight` (headers always reach the best tip). */
export function nodeInfo(
  sim: Simulation,
  fullHeight: number,
  now: number,
): Omit<NodeInfo, 'parameters'> & { parameters: NodeParameters & { subblocksPerBlock: number } } {
  const chain = sim.chain;
  const tip = chain.tip;
  const full = chain.bestAt(fullHeight) ?? tip;
  const network = sim.params.network;
  return {
    name: `ergo-${network}-${APP_VERSION}`,
    appVersion: APP_VERSION,
    network,
    headersHeight: chain.height,
    fullHeight: full.header.height,
    maxPeerHeight: chain.height,
    bestHeaderId: tip.header.id,
    bestFullHeaderId: full.header.id,
    previousFullHeaderId: full.header.parentId,
    difficulty: decodeCompactBits(full.header.nBits),
    headersScore: tip.score,
    fullBlocksScore: full.score,
    unconfirmedCount: sim.mempool.length,
    stateRoot: full.header.stateRoot,
    stateType: 'utxo',
    stateVersion: full.header.id,
    isMining: true,
    isExplorer: false,
    peersCount: 12,
    launchTime: sim.launchTime,
    lastSeenMessageTime: now,
    lastMemPoolUpdateTime: now,
    genesisBlockId: network === 'mainnet' ? MAINNET_GENESIS_ID : hashHex(sim.params.seed, 'genesis'),
    parameters: {
      height: Math.floor(full.header.height / VOTING_EPOCH) * VOTING_EPOCH,
      blockVersion: 3,
      storageFeeFactor: 1_250_000,
      minValuePerByte: 360,
      maxBlockSize: 1_271_009,
      maxBlockCost: 8_001_091,
      tokenAccessCost: 100,
      inputCost: 2_407,
      dataInputCost: 100,
      outputCost: 197,
      subblocksPerBlock: 30,
    },
    eip27Supported: true,
    eip37Supported: true,
  };
}
