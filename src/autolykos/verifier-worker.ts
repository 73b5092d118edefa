import { parentPort, workerData } from 'node:worker_threads';
import { type KernelChoice, loadKernel } from './native.ts';
import { batchViews, type FromWorker, type ToWorker } from './verifier-protocol.ts';

// One verifier thread: loads the kernel once, then answers each batch with its hits.
const port = parentPort!;
const kernel = await loadKernel((workerData as { kernel: KernelChoice }).kernel);

port.on('message', (message: ToWorker) => {
  let reply: FromWorker;
  try {
    const hits = new ArrayBuffer(32 * message.count);
    kernel.hits(batchViews(message.buffer, message.count), new Uint8Array(hits));
    reply = { type: 'hits', id: message.id, hits };
    port.postMessage(reply, [hits]);
  } catch (err) {
    reply = { type: 'failed', id: message.id, message: (err as Error).message };
    port.postMessage(reply);
  }
});
port.postMessage({ type: 'ready', kernel: kernel.name } satisfies FromWorker);
