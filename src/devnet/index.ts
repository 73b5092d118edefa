/**
 * A simulated Ergo network over HTTP: node endpoints that serve the real node's REST routes (mining,
 * blocks, emission, wallet, address utils) over a shared chain with real Autolykos checks, difficulty
 * retargets, competitor blocks, mempool traffic, reorgs, reward maturity and per-endpoint fault injection.
 */
export {
  DEFAULT_DIFFICULTY,
  DEFAULT_PORT,
  REJECTED_SOLUTION,
  resolveOptions,
  startDevnet,
} from './devnet.ts';
export { parseFault } from './endpoint.ts';
export { LONGPOLL_MS } from './http/routes-node.ts';
export { INVALID_SOLUTION } from './simulation.ts';
export { DEFAULT_FEE, FEE_ERGO_TREE, PAY_TO_REEMISSION_ADDRESS } from './transactions.ts';
export {
  type Devnet,
  type DevnetBlockEvent,
  type DevnetFault,
  type DevnetNode,
  type DevnetOptions,
  FAULT_MODES,
  type FaultMode,
} from './types.ts';
