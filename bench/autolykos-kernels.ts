// Single-thread checks/s of each available hit kernel, called in-thread (no worker), batches of 64.
// Prints one JSON line: {"kernels":{"avx512":…,"avx2":…,"scalar":…,"reference":…}}.
import { randomBytes } from 'node:crypto';
import { CURRENT_MAINNET_HEIGHT, loadKernel, nativeKernels, packBatch } from '../src/autolykos/index.ts';

const seconds = Number(process.argv[2] ?? 3);
const BATCH = 64;
const inputs = Array.from({ length: BATCH }, () => ({
  msg: randomBytes(32),
  nonce: randomBytes(8),
  height: CURRENT_MAINNET_HEIGHT,
}));
const batch = packBatch(inputs);
const out = new Uint8Array(32 * BATCH);
const result: Record<string, number> = {};
for (const name of [...nativeKernels(), 'reference' as const]) {
  const kernel = await loadKernel(name);
  kernel.hits(batch, out); // warm-up
  let checks = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    kernel.hits(batch, out);
    checks += BATCH;
  }
  result[name] = Math.round(checks / ((performance.now() - start) / 1000));
  process.stderr.write(`kernel ${name}: ${result[name]} checks/s\n`);
}
console.log(JSON.stringify({ kernels: result }));
