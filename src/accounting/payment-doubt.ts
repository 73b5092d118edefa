import { describeError, type UnconfirmedTransaction, type WalletTransaction } from '../ergo/index.ts';

/** A node whose mempool is searched for a payment's transaction (every node of the pool, not just one). */
export interface MempoolNode {
  readonly name: string;
  unconfirmedTransactions(limit?: number, offset?: number): Promise<UnconfirmedTransaction[]>;
}

/** Every node's mempool, read once per payout run; `complete` is false when some node could not be read. */
export interface MempoolView {
  txs: Map<string, { tx: UnconfirmedTransaction; node: string }>;
  complete: boolean;
  errors: string[];
}

/** Every unconfirmed transaction of one node (pages of 100). */
export async function mempoolOf(node: MempoolNode): Promise<UnconfirmedTransaction[]> {
  const out: UnconfirmedTransaction[] = [];
  for (let offset = 0; ; offset += 100) {
    const page = await node.unconfirmedTransactions(100, offset);
    out.push(...page);
    if (page.length < 100) return out;
  }
}

export async function readMempools(nodes: readonly MempoolNode[]): Promise<MempoolView> {
  const view: MempoolView = { txs: new Map(), complete: true, errors: [] };
  const pages = await Promise.allSettled(nodes.map((n) => mempoolOf(n)));
  pages.forEach((p, k) => {
    const node = nodes[k]!.name;
    if (p.status === 'rejected') {
      view.complete = false;
      view.errors.push(`${node}: ${describeError(p.reason)}`);
      return;
    }
    for (const tx of p.value) if (!view.txs.has(tx.id)) view.txs.set(tx.id, { tx, node });
  });
  return view;
}

/**
 * The proof that a transaction can never confirm: a confirmed transaction (at least `minConfirmations`
 * deep) other than it spends one of its inputs. The spender of a wallet box is always a wallet transaction,
 * so the wallet's own history is where to look. Returns the spender's id and the box, or null.
 */
export function doubleSpender(
  walletTxs: readonly Pick<WalletTransaction, 'id' | 'inputs' | 'numConfirmations'>[],
  ours: { id: string; inputs: readonly string[] },
  minConfirmations: number,
): { txId: string; boxId: string } | null {
  const inputs = new Set(ours.inputs);
  for (const tx of walletTxs) {
    if (tx.id === ours.id || tx.numConfirmations < minConfirmations) continue;
    const box = tx.inputs.find((i) => inputs.has(i.boxId));
    if (box) return { txId: tx.id, boxId: box.boxId };
  }
  return null;
}
