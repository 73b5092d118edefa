/** secp256k1 group order: the PoW target is b = floor(q / difficulty). */
export const GROUP_ORDER_Q = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** Bitcoin's difficulty-1 target (0xffff · 2^208); share difficulty 1 means this target (see difficulty.ts). */
export const DIFF1_TARGET = 0xffffn << 208n;

/** 2^256: hits are uniform on [0, 2^256). */
export const TWO_POW_256 = 1n << 256n;

/** Autolykos v2 table size before the first increase, and the schedule of its growth (node AutolykosPowScheme). */
export const N_BASE = 1 << 26;
export const N_INCREASE_START = 600 * 1024;
export const N_INCREASE_PERIOD = 50 * 1024;
/** The node stops growing N at this height; some pools keep growing until 9,216,000 — we follow the node. */
export const N_INCREASE_CAP_HEIGHT = 4_198_400;

/** Number of elements summed per hit (k in the Autolykos paper). */
export const ELEMENTS_PER_HIT = 32;

/** A realistic mainnet height for benchmarks and the devnet default (late 2026). */
export const CURRENT_MAINNET_HEIGHT = 1_925_000;
