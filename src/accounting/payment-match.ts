import type { ErgoTransaction } from '../ergo/index.ts';

/** One output of a payment as sent to /wallet/payment/send, with the ErgoTree its address stands for. */
export interface RequestedOutput {
  address: string;
  ergoTree: string;
  value: bigint;
}

/** What a payment row keeps in `request`: exactly the payment/send body, and the height it was planned at. */
export interface StoredRequest {
  requests: { address: string; value: string }[];
  /** Wallet height when planned: its transaction cannot be in a block below this. */
  fromHeight: number;
}

export function storedRequest(
  outputs: readonly { address: string; value: bigint }[],
  fromHeight: number,
): StoredRequest {
  return { requests: outputs.map((o) => ({ address: o.address, value: o.value.toString() })), fromHeight };
}

export function parseStoredRequest(json: unknown): StoredRequest {
  const r = json as StoredRequest | null;
  if (!r || !Array.isArray(r.requests) || typeof r.fromHeight !== 'number')
    throw new Error('payment request is not {requests, fromHeight}');
  return r;
}

/**
 * Does `tx` pay every requested output (the same ErgoTree and value, as a multiset)? A payment/send
 * transaction has exactly those outputs plus the fee, the change and (EIP-27) the re-emission outputs,
 * so extra outputs are allowed but each requested one must be matched by its own output.
 */
export function paysOutputs(
  tx: Pick<ErgoTransaction, 'outputs'>,
  wanted: readonly RequestedOutput[],
): boolean {
  const free = tx.outputs.map((o) => ({ tree: o.ergoTree.toLowerCase(), value: o.value, used: false }));
  for (const w of wanted) {
    const tree = w.ergoTree.toLowerCase();
    const hit = free.find((o) => !o.used && o.value === w.value && o.tree === tree);
    if (!hit) return false;
    hit.used = true;
  }
  return wanted.length > 0;
}

/**
 * The transaction of an in-flight payment among the wallet's transactions (confirmed and unconfirmed):
 * the first that pays all its outputs and is not already the transaction of another payment.
 */
export function findPaymentTransaction(
  candidates: readonly Pick<ErgoTransaction, 'id' | 'outputs'>[],
  wanted: readonly RequestedOutput[],
  taken: ReadonlySet<string>,
): string | null {
  for (const tx of candidates) if (!taken.has(tx.id) && paysOutputs(tx, wanted)) return tx.id;
  return null;
}
