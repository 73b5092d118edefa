import { randomBytes } from 'node:crypto';
import { CURRENT_MAINNET_HEIGHT, type KernelChoice, VerifierPool } from '../autolykos/index.ts';
import { jsonLine } from './args.ts';

export interface PowBenchOptions {
  seconds: number;
  workers?: number | undefined;
  kernel: KernelChoice;
}

/**
 * Verifies random shares at a current mainnet height through the verifier pool for a fixed time,
 * keeping the queue full, and prints progress each second and, last, one JSON line of figures.
 */
export async function runPowBench(options: PowBenchOptions, out: (line: string) => void): Promise<void> {
  const pool = await VerifierPool.start({
    workers: options.workers,
    kernel: options.kernel,
    maxQueue: 100_000,
  });
  const height = CURRENT_MAINNET_HEIGHT;
  const msg = randomBytes(32);
  const nonces = randomBytes(8 * 4096);
  let done = 0;
  let issued = 0;
  const start = performance.now();
  const deadline = start + options.seconds * 1000;
  let nextReport = start + 1000;
  const inFlightTarget = 512 * pool.workerCount;
  try {
    while (performance.now() < deadline) {
      const wave: Promise<bigint>[] = [];
      while (issued - done < inFlightTarget) {
        const k = issued++ % 4096;
        wave.push(
          pool.verify({ msg, nonce: nonces.subarray(8 * k, 8 * k + 8), height }).then((hit) => {
            done++;
            return hit;
          }),
        );
      }
      await Promise.race(wave.length > 0 ? wave : [new Promise((r) => setTimeout(r, 1))]);
      await pool.whenQueueBelow(inFlightTarget / 2);
      if (performance.now() >= nextReport) {
        const elapsed = (performance.now() - start) / 1000;
        process.stderr.write(
          `pow bench: ${done} checks in ${elapsed.toFixed(1)} s (${Math.round(done / elapsed)}/s)\n`,
        );
        nextReport += 1000;
      }
    }
    const elapsed = (performance.now() - start) / 1000;
    out(
      jsonLine({
        checksPerSecond: Math.round(done / elapsed),
        workers: pool.workerCount,
        kernel: pool.kernelName,
        seconds: Number(elapsed.toFixed(2)),
        checks: done,
        height,
      }),
    );
  } finally {
    await pool.close();
  }
}
