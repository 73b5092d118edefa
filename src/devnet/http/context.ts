import type { StoredBlock } from '../blocks.ts';
import type { NodeEndpoint } from '../endpoint.ts';
import type { Simulation } from '../simulation.ts';
import type { DevnetFault } from '../types.ts';
import type { WalletService } from '../wallet-service.ts';

/** What the orchestrator offers the routes beyond the shared state (timers, faults, admin actions). */
export interface DevnetControl {
  now(): number;
  /** Resolves when the endpoint's candidate msg differs from `msg`, or after timeoutMs. */
  waitForCandidate(endpoint: NodeEndpoint, msg: string, timeoutMs: number): Promise<void>;
  submitSolution(endpoint: NodeEndpoint, nonceHex: string): { accepted: boolean; detail?: string };
  nodeCount(): number;
  setFault(node: number, fault: DevnetFault): Promise<void>;
  mineCompetitorBlock(): StoredBlock;
  reorg(fromHeight: number): StoredBlock[];
  addMempoolTransaction(): void;
  dropMempoolTransaction(txId: string, node?: number): boolean;
  state(): unknown;
}

/** Everything a node endpoint's routes need. */
export interface NodeContext {
  sim: Simulation;
  wallet: WalletService;
  endpoint: NodeEndpoint;
  apiKey: string;
  control: DevnetControl;
}
