import { parentPort } from 'node:worker_threads';
import { bytesToBigInt, calcN, hexToBytes, loadKernel } from '../autolykos/index.ts';
import type { FromHashWorker, MineJob, ToHashWorker } from './hash-protocol.ts';

// A hashing thread: rolls nonces of the current job in batches and reports those below the share target.
const port = parentPort!;
const kernel = await loadKernel('best');
const BATCH = 64;
let job = null as MineJob | null;
let counter = 0n;
let running = true;

port.on('message', (message: ToHashWorker) => {
  if (message.type === 'stop') {
    running = false;
    return;
  }
  if (message.type === 'pause') {
    job = null;
    return;
  }
  job = message;
  counter = BigInt(Math.floor(Math.random() * 2 ** 32)); // start somewhere random in the lane
});

const post = (m: FromHashWorker) => port.postMessage(m);
post({ type: 'ready', kernel: kernel.name });

const batch = {
  count: BATCH,
  msgs: new Uint8Array(32 * BATCH),
  nonces: new Uint8Array(8 * BATCH),
  heights: new Uint32Array(BATCH),
  ns: new Uint32Array(BATCH),
};
const hits = new Uint8Array(32 * BATCH);
let reported = 0;
let lastReport = Date.now();

while (running) {
  const current = job;
  if (!current) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    continue;
  }
  const msg = hexToBytes(current.msg, 'msg', 32);
  const target = BigInt(current.target);
  const n = calcN(current.height);
  const prefix = hexToBytes(current.prefix, 'prefix');
  const limit = 1n << BigInt(8 * current.rollBytes);
  for (let k = 0; k < BATCH; k++) {
    batch.msgs.set(msg, 32 * k);
    batch.heights[k] = current.height;
    batch.ns[k] = n;
    batch.nonces.set(prefix, 8 * k);
    const roll = (counter + BigInt(k)) % limit;
    const rollHex = roll.toString(16).padStart(current.rollBytes * 2, '0');
    batch.nonces.set(hexToBytes(rollHex, 'roll'), 8 * k + prefix.length);
  }
  counter += BigInt(BATCH);
  kernel.hits(batch, hits);
  for (let k = 0; k < BATCH; k++) {
    if (bytesToBigInt(hits.subarray(32 * k, 32 * k + 32)) < target) {
      post({
        type: 'found',
        jobKey: current.jobKey,
        nonce: Buffer.from(batch.nonces.subarray(8 * k, 8 * k + 8)).toString('hex'),
      });
    }
  }
  reported += BATCH;
  if (Date.now() - lastReport >= 500) {
    post({ type: 'hashes', count: reported });
    reported = 0;
    lastReport = Date.now();
  }
  // Let job updates in: the message handler only runs between macrotasks.
  await new Promise((resolve) => setImmediate(resolve));
}
