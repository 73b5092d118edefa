import type { Asset, ErgoTransaction, TxOutput, WalletTransaction } from '../ergo/index.ts';
import { addressOfErgoTree, type NetworkName, REEMISSION_TOKEN_ID } from '../ergo/index.ts';
import type { Chain } from './chain.ts';
import { FEE_ERGO_TREE, makeTransaction, type OutputSpec } from './transactions.ts';

/** The node wallet's scripts: its P2PK key and the miner-reward script of that key. */
export interface WalletScripts {
  network: NetworkName;
  rewardDelay: number;
  p2pkTree: string;
  rewardTree: string;
  payToReemissionTree: string;
}

export interface WalletBox {
  box: TxOutput;
  inclusionHeight: number;
  /** Locked by the reward script until rewardDelay confirmations. */
  reward: boolean;
}

export interface WalletTx {
  tx: ErgoTransaction;
  /** 0 while in the mempool. */
  inclusionHeight: number;
  reward: boolean;
}

/** The wallet as scanned from the best chain and the mempool (WalletScanLogic, simplified). */
export interface WalletView {
  unspent: WalletBox[];
  /** Boxes spent by mempool txs (not spendable again, still confirmed-unspent). */
  pendingSpent: Set<string>;
  /** Confirmed wallet txs (oldest first), then unconfirmed ones. */
  txs: WalletTx[];
}

export function scanWallet(
  chain: Chain,
  mempool: readonly ErgoTransaction[],
  scripts: WalletScripts,
): WalletView {
  const owned = new Map<string, WalletBox>();
  const txs: WalletTx[] = [];
  const visit = (tx: ErgoTransaction, inclusionHeight: number) => {
    let spends = false;
    for (const input of tx.inputs) {
      if (inclusionHeight > 0 ? owned.delete(input.boxId) : owned.has(input.boxId)) spends = true;
    }
    let mine = false;
    let reward = false;
    for (const out of tx.outputs) {
      const isReward = out.ergoTree === scripts.rewardTree;
      if (!isReward && out.ergoTree !== scripts.p2pkTree) continue;
      mine = true;
      reward ||= isReward;
      if (inclusionHeight > 0) owned.set(out.boxId, { box: out, inclusionHeight, reward: isReward });
    }
    if (spends || mine) txs.push({ tx, inclusionHeight, reward });
  };
  for (const block of chain.best()) for (const tx of block.transactions) visit(tx, block.header.height);
  const pendingSpent = new Set<string>();
  for (const tx of mempool) {
    visit(tx, 0);
    for (const input of tx.inputs) if (owned.has(input.boxId)) pendingSpent.add(input.boxId);
  }
  return { unspent: [...owned.values()], pendingSpent, txs };
}

function reemissionTokens(box: TxOutput): bigint {
  return box.assets.reduce((sum, a) => sum + (a.tokenId === REEMISSION_TOKEN_ID ? a.amount : 0n), 0n);
}

export function isMature(box: WalletBox, height: number, rewardDelay: number): boolean {
  return !box.reward || height - box.inclusionHeight + 1 >= rewardDelay;
}

/** Boxes a payment may spend: confirmed, mature, unspent and not already spent by a mempool tx. */
export function spendableBoxes(view: WalletView, height: number, rewardDelay: number): WalletBox[] {
  return view.unspent.filter((b) => !view.pendingSpent.has(b.box.boxId) && isMature(b, height, rewardDelay));
}

/** GET /wallet/balances with checkEIP27: re-emission tokens are subtracted from the ERG balance. */
export function walletBalances(
  view: WalletView,
  height: number,
  rewardDelay: number,
): { height: number; balance: bigint; assets: Record<string, bigint> } {
  let balance = 0n;
  const assets: Record<string, bigint> = {};
  for (const { box } of spendableBoxes(view, height, rewardDelay)) {
    balance += box.value - reemissionTokens(box);
    for (const a of box.assets) {
      if (a.tokenId !== REEMISSION_TOKEN_ID) assets[a.tokenId] = (assets[a.tokenId] ?? 0n) + a.amount;
    }
  }
  return { height, balance, assets };
}

/** WalletTransaction JSON (outputs with addresses, numConfirmations 0 while unconfirmed). */
export function walletTransactionJson(w: WalletTx, height: number, network: NetworkName): WalletTransaction {
  return {
    id: w.tx.id,
    inputs: w.tx.inputs,
    dataInputs: w.tx.dataInputs,
    outputs: w.tx.outputs.map((o) => ({ ...o, address: addressOfErgoTree(o.ergoTree, network) })),
    size: w.tx.size,
    inclusionHeight: w.inclusionHeight,
    numConfirmations: w.inclusionHeight > 0 ? height - w.inclusionHeight + 1 : 0,
    scans: [w.reward ? 9 : 10],
  };
}

/** Smallest value a box of this script may hold (minValuePerByte 360 × approximate box size). */
export function minBoxValue(ergoTree: string): bigint {
  return 360n * BigInt(ergoTree.length / 2 + 48);
}

export interface PaymentOutput {
  ergoTree: string;
  value: bigint;
  address: string;
}

/**
 * Builds a payment as the node wallet does: spends mature boxes oldest first until payees + fee are
 * covered (net of re-emission tokens, whose ERG goes to the pay-to-reemission contract), then a fee
 * output and change to the wallet's P2PK address. Returns the node-style failure text instead on error.
 */
export function buildPayment(
  view: WalletView,
  height: number,
  scripts: WalletScripts,
  payees: readonly PaymentOutput[],
  fee: bigint,
): ErgoTransaction | string {
  for (const p of payees) {
    const min = minBoxValue(p.ergoTree);
    if (p.value < min)
      return `Output to ${p.address} of ${p.value} nanoERG is below the minimum box value ${min}`;
  }
  const need = payees.reduce((sum, p) => sum + p.value, 0n) + fee;
  const boxes = spendableBoxes(view, height, scripts.rewardDelay).sort(
    (a, b) => a.inclusionHeight - b.inclusionHeight || a.box.index - b.box.index,
  );
  const selected: TxOutput[] = [];
  let gross = 0n;
  let tokens = 0n;
  const changeFloor = minBoxValue(scripts.p2pkTree);
  for (const { box } of boxes) {
    const change = gross - tokens - need;
    if (change === 0n || change >= changeFloor) break;
    selected.push(box);
    gross += box.value;
    tokens += reemissionTokens(box);
  }
  const available = gross - tokens;
  if (available < need) {
    const payTo = payees.map((p) => `${p.address} -> ${p.value}`).join(', ');
    return (
      `Failed to find boxes to assemble a transaction for List(${payTo}), \n` +
      `reason: NotEnoughErgsError(not enough boxes to meet ERG needs ${need} (found only ${available}),${available})`
    );
  }
  const outputs: OutputSpec[] = payees.map((p) => ({
    value: p.value,
    ergoTree: p.ergoTree,
    creationHeight: height,
  }));
  let change = available - need;
  if (change > 0n && change < changeFloor) {
    fee += change;
    change = 0n;
  }
  if (fee > 0n) outputs.push({ value: fee, ergoTree: FEE_ERGO_TREE, creationHeight: height });
  if (tokens > 0n)
    outputs.push({ value: tokens, ergoTree: scripts.payToReemissionTree, creationHeight: height });
  const otherAssets = new Map<string, bigint>();
  for (const box of selected) {
    for (const a of box.assets) {
      if (a.tokenId !== REEMISSION_TOKEN_ID)
        otherAssets.set(a.tokenId, (otherAssets.get(a.tokenId) ?? 0n) + a.amount);
    }
  }
  if (change > 0n) {
    const assets: Asset[] = [...otherAssets].map(([tokenId, amount]) => ({ tokenId, amount }));
    outputs.push({ value: change, ergoTree: scripts.p2pkTree, creationHeight: height, assets });
  }
  return makeTransaction(
    selected.map((b) => b.boxId),
    outputs,
  );
}
