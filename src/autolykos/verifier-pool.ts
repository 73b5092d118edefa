import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { bytesToBigInt } from './bytes.ts';
import type { PowInput } from './hit.ts';
import type { KernelChoice } from './native.ts';
import { calcN } from './table-size.ts';
import { BYTES_PER_CHECK, batchViews, type FromWorker, type ToWorker } from './verifier-protocol.ts';

export interface VerifierPoolOptions {
  /** Worker threads; default one per core. */
  workers?: number;
  /** Checks waiting beyond this are refused with VerifierOverloadedError (bounded memory, no hidden backlog). */
  maxQueue?: number;
  /** Most checks sent to a worker in one message. */
  maxBatch?: number;
  /** Batches in flight per worker (4: the worker has work while the event loop is busy with I/O). */
  maxInFlightPerWorker?: number;
  kernel?: KernelChoice;
}

/** The queue is full: the caller should shed load (e.g. answer the miner "busy") rather than wait. */
export class VerifierOverloadedError extends Error {
  constructor(limit: number) {
    super(`share verifier queue is full (${limit} checks waiting)`);
    this.name = 'VerifierOverloadedError';
  }
}

interface Pending {
  /** When it was asked for (performance.now()). */
  at: number;
  input: PowInput;
  resolve: (hit: bigint) => void;
  reject: (err: Error) => void;
}

interface WorkerSlot {
  worker: Worker;
  inFlight: Map<number, Pending[]>;
}

/**
 * Autolykos checks off the event loop: a bounded queue feeding worker threads in batches. Checks asked for in
 * one turn of the event loop go out together when the turn's I/O is done (one message per batch, not per
 * check); under light load that is a batch of one at once, under heavy load batches fill up. The pool
 * tells how long its oldest waiting check has waited, so callers can shed load before latency builds up.
 */
export class VerifierPool {
  private readonly queue: Pending[] = [];
  private dispatchScheduled = false;
  private readonly slots: WorkerSlot[] = [];
  private readonly drainWaiters: { level: number; resolve: () => void }[] = [];
  private nextBatchId = 1;
  private lastN = { height: -1, n: 0 };
  private closed = false;
  private kernel = '';

  private constructor(private readonly options: Required<VerifierPoolOptions>) {}

  static async start(options: VerifierPoolOptions = {}): Promise<VerifierPool> {
    const pool = new VerifierPool({
      workers: options.workers ?? availableParallelism(),
      maxQueue: options.maxQueue ?? 50_000,
      maxBatch: options.maxBatch ?? 64,
      maxInFlightPerWorker: options.maxInFlightPerWorker ?? 4,
      kernel: options.kernel ?? 'best',
    });
    if (!Number.isInteger(pool.options.workers) || pool.options.workers < 1) {
      throw new RangeError('workers must be a positive integer');
    }
    await Promise.all(Array.from({ length: pool.options.workers }, () => pool.spawn()));
    return pool;
  }

  /** Name of the kernel the workers run ('avx512', 'avx2', 'scalar' or 'reference'). */
  get kernelName(): string {
    return this.kernel;
  }

  get workerCount(): number {
    return this.slots.length;
  }

  /** Checks queued and not yet sent to a worker. */
  get queued(): number {
    return this.queue.length;
  }

  /** Batches sent to the workers since start (checks ÷ batches is the batching achieved). */
  get batchesSent(): number {
    return this.nextBatchId - 1;
  }

  verify(input: PowInput): Promise<bigint> {
    if (this.closed) return Promise.reject(new Error('verifier pool is closed'));
    if (input.msg.length !== 32 || input.nonce.length !== 8) {
      return Promise.reject(new RangeError('msg must be 32 bytes and nonce 8 bytes'));
    }
    if (this.queue.length >= this.options.maxQueue)
      return Promise.reject(new VerifierOverloadedError(this.options.maxQueue));
    return new Promise<bigint>((resolve, reject) => {
      this.queue.push({ at: performance.now(), input, resolve, reject });
      if (!this.dispatchScheduled) {
        this.dispatchScheduled = true;
        setImmediate(this.dispatchLater);
      }
    });
  }

  /**
   * How long the oldest check still waiting for a worker has waited (ms; 0 when none waits). It grows only
   * while every worker has its batches in flight, that is when the threads do not keep up; callers shed load
   * on it (answer "busy") before latency builds up. The delay itself, so no rate has to be guessed.
   */
  queueAgeMs(): number {
    return this.queue.length > 0 ? performance.now() - this.queue[0]!.at : 0;
  }

  private readonly dispatchLater = (): void => {
    this.dispatchScheduled = false;
    this.dispatch();
  };

  /** Back-pressure for producers: resolves once no more than `level` checks are queued. */
  whenQueueBelow(level: number): Promise<void> {
    if (this.queue.length <= level) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push({ level, resolve }));
  }

  async close(): Promise<void> {
    this.closed = true;
    const error = new Error('verifier pool is closed');
    for (const pending of this.queue.splice(0)) pending.reject(error);
    for (const slot of this.slots)
      for (const batch of slot.inFlight.values()) for (const p of batch) p.reject(error);
    await Promise.all(this.slots.splice(0).map((slot) => slot.worker.terminate()));
  }

  private spawn(): Promise<void> {
    const worker = new Worker(new URL('./verifier-worker-entry.mjs', import.meta.url), {
      workerData: { kernel: this.options.kernel },
    });
    const slot: WorkerSlot = { worker, inFlight: new Map() };
    return new Promise<void>((resolve, reject) => {
      worker.on('message', (message: FromWorker) => {
        if (message.type === 'ready') {
          this.kernel = message.kernel;
          this.slots.push(slot);
          resolve();
          this.dispatch();
        } else this.settle(slot, message);
      });
      worker.on('error', (err) => {
        reject(err);
        this.failSlot(slot, err);
      });
      worker.on('exit', (code) => {
        if (!this.closed) this.failSlot(slot, new Error(`verifier worker exited with code ${code}`));
      });
    });
  }

  /** A worker died: fail its checks (they cannot be vouched for) and replace it. */
  private failSlot(slot: WorkerSlot, err: Error): void {
    const index = this.slots.indexOf(slot);
    if (index < 0) return;
    this.slots.splice(index, 1);
    for (const batch of slot.inFlight.values()) for (const p of batch) p.reject(err);
    slot.inFlight.clear();
    if (!this.closed) this.spawn().catch(() => undefined);
  }

  private settle(slot: WorkerSlot, message: Extract<FromWorker, { id: number }>): void {
    const checks = slot.inFlight.get(message.id);
    if (!checks) return;
    slot.inFlight.delete(message.id);
    if (message.type === 'failed') {
      const err = new Error(`share check failed: ${message.message}`);
      for (const p of checks) p.reject(err);
    } else {
      const hits = new Uint8Array(message.hits);
      for (const [k, p] of checks.entries()) p.resolve(bytesToBigInt(hits.subarray(32 * k, 32 * k + 32)));
    }
    this.dispatch();
  }

  private dispatch(): void {
    for (;;) {
      if (this.queue.length === 0) break;
      const slot = this.leastBusy();
      if (!slot) break;
      const idle = this.slots.filter((s) => s.inFlight.size < this.options.maxInFlightPerWorker).length;
      const size = Math.min(this.options.maxBatch, Math.max(1, Math.ceil(this.queue.length / idle)));
      this.send(slot, this.queue.splice(0, size));
    }
    for (let i = this.drainWaiters.length - 1; i >= 0; i--) {
      const waiter = this.drainWaiters[i]!;
      if (this.queue.length <= waiter.level) {
        this.drainWaiters.splice(i, 1);
        waiter.resolve();
      }
    }
  }

  private leastBusy(): WorkerSlot | undefined {
    let best: WorkerSlot | undefined;
    for (const slot of this.slots) {
      if (slot.inFlight.size >= this.options.maxInFlightPerWorker) continue;
      if (!best || slot.inFlight.size < best.inFlight.size) best = slot;
    }
    return best;
  }

  /** calcN for the height, remembered for the last one (every check of a job has the same height). */
  private tableSize(height: number): number {
    if (height !== this.lastN.height) this.lastN = { height, n: calcN(height) };
    return this.lastN.n;
  }

  private send(slot: WorkerSlot, checks: Pending[]): void {
    const count = checks.length;
    const buffer = new ArrayBuffer(BYTES_PER_CHECK * count);
    const views = batchViews(buffer, count);
    checks.forEach(({ input }, k) => {
      views.msgs.set(input.msg, 32 * k);
      views.nonces.set(input.nonce, 8 * k);
      views.heights[k] = input.height;
      views.ns[k] = this.tableSize(input.height);
    });
    const id = this.nextBatchId++;
    slot.inFlight.set(id, checks);
    const message: ToWorker = { type: 'batch', id, count, buffer };
    slot.worker.postMessage(message, [buffer]);
  }
}
