import {
  addressOfErgoTree,
  type ErgoTransaction,
  InvalidAddressError,
  minerRewardErgoTree,
  p2pkAddress,
  parseAddress,
  type WalletStatus,
  type WalletTransaction,
} from '../ergo/index.ts';
import type { Simulation } from './simulation.ts';
import { PAY_TO_REEMISSION_ADDRESS, p2pkErgoTree } from './transactions.ts';
import {
  buildPayment,
  type PaymentOutput,
  scanWallet,
  type WalletScripts,
  type WalletView,
  walletBalances,
  walletTransactionJson,
} from './wallet.ts';

export type WalletResult<T> = { ok: true; value: T } | { ok: false; detail: string };

export interface WalletTxFilter {
  minInclusionHeight?: number;
  maxInclusionHeight?: number;
  minConfirmations?: number;
  maxConfirmations?: number;
}

/**
 * The node wallet of one mining key (the pool's, or a node's own) over the simulated chain (views cached
 * until the chain or mempool change).
 */
export class WalletService {
  readonly scripts: WalletScripts;
  readonly address: string;
  readonly rewardAddress: string;
  private cache: { key: string; view: WalletView } | null = null;

  constructor(
    private readonly sim: Simulation,
    publicKey = sim.minerPk,
    /** The mempool this node's wallet sees, and a key that changes with it. */
    private readonly mempool: { txs: () => readonly ErgoTransaction[]; version: () => string } = {
      txs: () => sim.mempool,
      version: () => '',
    },
  ) {
    const { network, rewardDelay } = sim.params;
    this.scripts = {
      network,
      rewardDelay,
      p2pkTree: p2pkErgoTree(publicKey),
      rewardTree: minerRewardErgoTree(publicKey, rewardDelay),
      payToReemissionTree: parseAddress(PAY_TO_REEMISSION_ADDRESS).ergoTree,
    };
    this.address = p2pkAddress(publicKey, network);
    this.rewardAddress = addressOfErgoTree(this.scripts.rewardTree, network);
  }

  view(): WalletView {
    const key = `${this.sim.chain.version}:${this.sim.mempoolVersion}:${this.mempool.version()}`;
    if (this.cache?.key !== key)
      this.cache = { key, view: scanWallet(this.sim.chain, this.mempool.txs(), this.scripts) };
    return this.cache.view;
  }

  status(): WalletStatus {
    return {
      isInitialized: true,
      isUnlocked: this.sim.walletUnlocked,
      changeAddress: this.address,
      walletHeight: this.sim.chain.height,
      error: '',
    };
  }

  setUnlocked(unlocked: boolean): void {
    this.sim.walletUnlocked = unlocked;
    this.sim.touch();
  }

  balances() {
    return walletBalances(this.view(), this.sim.chain.height, this.scripts.rewardDelay);
  }

  transactionById(id: string): WalletTransaction | undefined {
    const found = this.view().txs.find((w) => w.tx.id === id.toLowerCase());
    return found && walletTransactionJson(found, this.sim.chain.height, this.scripts.network);
  }

  /** Confirmed wallet transactions, oldest first, within the filter. */
  transactions(filter: WalletTxFilter): WalletTransaction[] {
    const height = this.sim.chain.height;
    return this.view()
      .txs.filter((w) => {
        if (w.inclusionHeight === 0) return false;
        const conf = height - w.inclusionHeight + 1;
        return (
          w.inclusionHeight >= (filter.minInclusionHeight ?? 0) &&
          w.inclusionHeight <= (filter.maxInclusionHeight ?? Number.MAX_SAFE_INTEGER) &&
          conf >= (filter.minConfirmations ?? 0) &&
          conf <= (filter.maxConfirmations ?? Number.MAX_SAFE_INTEGER)
        );
      })
      .map((w) => walletTransactionJson(w, height, this.scripts.network));
  }

  /**
   * POST /wallet/payment/send and /wallet/transaction/send: validates every request, builds the tx from
   * mature boxes and puts it into the mempool (the next block includes it). Returns the tx id.
   */
  send(requests: unknown, fee: bigint): WalletResult<string> {
    const payees = parsePaymentRequests(requests, this.scripts.network);
    if (typeof payees === 'string') return { ok: false, detail: payees };
    const described = `List(${payees.map((p) => `PaymentRequest(${p.address},${p.value},List(),Map())`).join(', ')})`;
    if (!this.sim.walletUnlocked) return { ok: false, detail: `Bad request ${described}. Wallet is locked` };
    const tx = buildPayment(this.view(), this.sim.chain.height, this.scripts, payees, fee);
    if (typeof tx === 'string') return { ok: false, detail: `Bad request ${described}. ${tx}` };
    // A node that forgot a transaction may spend its inputs again; the rest of the network refuses that.
    const spent = new Set(this.sim.mempool.flatMap((t) => t.inputs.map((i) => i.boxId)));
    const clash = tx.inputs.find((i) => spent.has(i.boxId));
    if (clash)
      return {
        ok: false,
        detail: `Bad request ${described}. Double spending attempt: box ${clash.boxId} is spent in the mempool`,
      };
    this.sim.addMempoolTransaction(tx);
    return { ok: true, value: tx.id };
  }
}

/** PaymentRequest[] → outputs, or the node-style reason the request is bad (naming the bad address). */
export function parsePaymentRequests(
  requests: unknown,
  network: 'mainnet' | 'testnet',
): PaymentOutput[] | string {
  if (!Array.isArray(requests) || requests.length === 0)
    return 'Bad request: expected a non-empty JSON array of payment requests';
  const out: PaymentOutput[] = [];
  for (const [k, r] of requests.entries()) {
    if (typeof r !== 'object' || r === null) return `Bad request: payment request ${k} is not an object`;
    const { address, value, assets } = r as Record<string, unknown>;
    if (typeof address !== 'string') return `Bad request: payment request ${k} has no address`;
    let ergoTree: string;
    try {
      ergoTree = parseAddress(address, network).ergoTree;
    } catch (err) {
      const reason = err instanceof InvalidAddressError ? err.reason : (err as Error).message;
      return `Invalid address ${address}: ${reason}`;
    }
    const amount = typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : value;
    if (typeof amount !== 'bigint' || amount <= 0n)
      return `Bad request: payment to ${address} needs a positive whole nanoERG value`;
    if (Array.isArray(assets) && assets.length > 0)
      return `Bad request: payment to ${address} asks for tokens the wallet does not have`;
    out.push({ address, ergoTree, value: amount });
  }
  return out;
}
