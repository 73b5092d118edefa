/** The CPU miner (and the dialect's client side) used by the demo, the tests and the load generator. */
export { CpuMiner, type CpuMinerOptions, type MinerStats } from './cpu-miner.ts';
export {
  type LoadgenMode,
  type LoadgenOptions,
  type LoadgenReport,
  loopbackSources,
  runLoadgen,
  VALID_MODE_DIFFICULTY,
} from './loadgen.ts';
export { PoolConnection, type PoolJob, type PoolSession } from './stratum-connection.ts';
export { type PoolUrl, parsePoolUrl } from './url.ts';
