/** Messages between the CPU miner and its hashing threads. */
export interface MineJob {
  type: 'job';
  jobKey: number;
  msg: string;
  height: number;
  target: string;
  /** Hex of the fixed nonce prefix: extranonce1 then this thread's lane byte(s). */
  prefix: string;
  /** Bytes the thread rolls after the prefix. */
  rollBytes: number;
}

export type ToHashWorker = MineJob | { type: 'pause' } | { type: 'stop' };

export type FromHashWorker =
  | { type: 'ready'; kernel: string }
  | { type: 'found'; jobKey: number; nonce: string }
  | { type: 'hashes'; count: number };
