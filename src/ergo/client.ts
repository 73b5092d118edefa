import pino, { type Logger } from 'pino';
import type { z } from 'zod';
import { NodeApiError } from './errors.ts';
import { HttpTransport, REAL_TIMERS, type RequestSpec, type Timers } from './http.ts';
import { type BackoffPolicy, DEFAULT_BACKOFF } from './retry.ts';
import {
  addressValiditySchema,
  blockHeaderSchema,
  blockTransactionsSchema,
  decode,
  emissionSchema,
  fullBlockSchema,
  headerIdsSchema,
  nodeInfoSchema,
  rewardAddressSchema,
  rewardPubkeySchema,
  stringArraySchema,
  transactionSchema,
  txIdSchema,
  walletBalancesSchema,
  walletStatusSchema,
  walletTransactionSchema,
  workMessageSchema,
} from './schemas.ts';
import type {
  AddressValidity,
  BlockHeader,
  BlockTransactions,
  EmissionInfo,
  FullBlock,
  NodeInfo,
  PaymentRequest,
  TransactionRequest,
  UnconfirmedTransaction,
  WalletBalances,
  WalletStatus,
  WalletTransaction,
  WorkMessage,
} from './wire.ts';

export interface ErgoNodeClientOptions {
  /** Name in logs, errors and health (e.g. "node-a"). */
  name: string;
  /** Base url of the node's REST API, e.g. http://127.0.0.1:9053. */
  url: string;
  /** Plain api key (the node stores its Blake2b-256 hash); sent as the `api_key` header on wallet routes. */
  apiKey?: string;
  /** Also send api_key on the public routes (for nodes behind a proxy that wants it everywhere). */
  apiKeyOnAllRoutes?: boolean;
  /** Per-request timeout (default 5000 ms). */
  timeoutMs?: number;
  /** Timeout of a long-poll candidate request (default 30000 ms). */
  longPollTimeoutMs?: number;
  /** Retries of idempotent GETs after transport failures or 429/502/503/504 (default 2). POSTs never. */
  retries?: number;
  backoff?: BackoffPolicy;
  fetch?: typeof fetch;
  logger?: Logger;
  timers?: Timers;
  random?: () => number;
  now?: () => number;
}

export interface CallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  retries?: number;
}

export interface CandidateOptions extends CallOptions {
  /** Long-poll: the node answers when its candidate differs from this msg (or at its own timeout). */
  longPollMsg?: string;
}

/** The query of GET /wallet/transactions (heights inclusive). */
export interface WalletTransactionsQuery {
  minInclusionHeight?: number;
  maxInclusionHeight?: number;
}

const NONCE_RE = /^[0-9a-fA-F]{16}$/;

/** Typed client of one Ergo node: every route the pool uses, exact big integers, typed errors. */
export class ErgoNodeClient {
  readonly name: string;
  readonly url: string;
  private readonly http: HttpTransport;
  private readonly longPollTimeoutMs: number;

  constructor(options: ErgoNodeClientOptions) {
    this.name = options.name;
    this.http = new HttpTransport({
      name: options.name,
      url: options.url,
      apiKey: options.apiKey,
      apiKeyOnAllRoutes: options.apiKeyOnAllRoutes ?? false,
      timeoutMs: options.timeoutMs ?? 5_000,
      retries: options.retries ?? 2,
      backoff: options.backoff ?? DEFAULT_BACKOFF,
      fetch: options.fetch ?? ((input, init) => fetch(input, init)),
      logger: options.logger ?? pino({ level: 'silent' }),
      timers: options.timers ?? REAL_TIMERS,
      random: options.random ?? Math.random,
      now: options.now ?? (() => performance.now()),
    });
    this.url = this.http.url;
    this.longPollTimeoutMs = options.longPollTimeoutMs ?? 30_000;
  }

  /** Sends one request and validates the 2xx body against `schema`. */
  private async call<T>(spec: RequestSpec, schema: z.ZodType<T>): Promise<T> {
    const { body } = await this.http.request(spec);
    return decode(schema, body, this.name, `${spec.method} ${spec.path}`);
  }

  /** Like call(), but a 404 answer is null. */
  private async callOrNull<T>(spec: RequestSpec, schema: z.ZodType<T>): Promise<T | null> {
    try {
      return await this.call(spec, schema);
    } catch (err) {
      if (err instanceof NodeApiError && err.status === 404) return null;
      throw err;
    }
  }

  // ---- public node state ----

  /** GET /info */
  info(opts: CallOptions = {}): Promise<NodeInfo> {
    return this.call({ method: 'GET', path: '/info', ...opts }, nodeInfoSchema);
  }

  /** GET /mining/candidate, or with `longPollMsg` GET /mining/candidate?longpoll=<msg> (longer timeout). */
  miningCandidate(opts: CandidateOptions = {}): Promise<WorkMessage> {
    const { longPollMsg, ...rest } = opts;
    if (longPollMsg === undefined)
      return this.call({ method: 'GET', path: '/mining/candidate', ...rest }, workMessageSchema);
    return this.call(
      {
        method: 'GET',
        path: '/mining/candidate',
        query: { longpoll: longPollMsg },
        retries: 0,
        ...rest,
        timeoutMs: rest.timeoutMs ?? this.longPollTimeoutMs,
      },
      workMessageSchema,
    );
  }

  /**
   * POST /mining/solution {"n": nonce}. Resolves when the node accepted (200); a rejection is a
   * NodeApiError (the node answers 500 with the reason in `detail`). Sent exactly once, never retried.
   */
  async submitSolution(nonceHex: string, opts: Omit<CallOptions, 'retries'> = {}): Promise<void> {
    if (!NONCE_RE.test(nonceHex)) throw new RangeError(`nonce must be 8 bytes of hex, got "${nonceHex}"`);
    await this.http.request({
      method: 'POST',
      path: '/mining/solution',
      body: { n: nonceHex.toLowerCase() },
      ...opts,
      retries: 0,
    });
  }

  /** GET /mining/rewardAddress → the P2S address of the node's miner-reward script. */
  async rewardAddress(opts: CallOptions = {}): Promise<string> {
    const r = await this.call({ method: 'GET', path: '/mining/rewardAddress', ...opts }, rewardAddressSchema);
    return r.rewardAddress;
  }

  /** GET /mining/rewardPublicKey → 33-byte compressed public key hex. */
  async rewardPublicKey(opts: CallOptions = {}): Promise<string> {
    const r = await this.call(
      { method: 'GET', path: '/mining/rewardPublicKey', ...opts },
      rewardPubkeySchema,
    );
    return r.rewardPubkey;
  }

  // ---- blocks ----

  /** GET /blocks/at/{h}: header ids at a height, best chain first; [] for an unknown height. */
  async blockIdsAt(height: number, opts: CallOptions = {}): Promise<string[]> {
    const ids = await this.callOrNull(
      { method: 'GET', path: `/blocks/at/${uint(height, 'height')}`, ...opts },
      headerIdsSchema,
    );
    return ids ?? [];
  }

  /** GET /blocks/{id}; null when the node does not know the block. */
  block(headerId: string, opts: CallOptions = {}): Promise<FullBlock | null> {
    return this.callOrNull({ method: 'GET', path: `/blocks/${id(headerId)}`, ...opts }, fullBlockSchema);
  }

  /** GET /blocks/{id}/header; null when unknown. */
  blockHeader(headerId: string, opts: CallOptions = {}): Promise<BlockHeader | null> {
    return this.callOrNull(
      { method: 'GET', path: `/blocks/${id(headerId)}/header`, ...opts },
      blockHeaderSchema,
    );
  }

  /** GET /blocks/{id}/transactions; null when unknown. */
  blockTransactions(headerId: string, opts: CallOptions = {}): Promise<BlockTransactions | null> {
    return this.callOrNull(
      { method: 'GET', path: `/blocks/${id(headerId)}/transactions`, ...opts },
      blockTransactionsSchema,
    );
  }

  /** GET /blocks/lastHeaders/{n}: the last n headers of the best chain, oldest first. */
  lastHeaders(count: number, opts: CallOptions = {}): Promise<BlockHeader[]> {
    return this.call(
      { method: 'GET', path: `/blocks/lastHeaders/${uint(count, 'count')}`, ...opts },
      blockHeaderSchema.array(),
    );
  }

  /** GET /emission/at/{h} (minerReward is already net of re-emission). */
  emissionAt(height: number, opts: CallOptions = {}): Promise<EmissionInfo> {
    return this.call(
      { method: 'GET', path: `/emission/at/${uint(height, 'height')}`, ...opts },
      emissionSchema,
    );
  }

  /** GET /transactions/unconfirmed?limit&offset */
  unconfirmedTransactions(limit = 50, offset = 0, opts: CallOptions = {}): Promise<UnconfirmedTransaction[]> {
    return this.call(
      {
        method: 'GET',
        path: '/transactions/unconfirmed',
        query: { limit: uint(limit, 'limit'), offset: uint(offset, 'offset') },
        ...opts,
      },
      transactionSchema.array(),
    );
  }

  /** GET /utils/address/{address}: the node's own verdict (network, checksum, type). */
  validateAddress(address: string, opts: CallOptions = {}): Promise<AddressValidity> {
    return this.call(
      { method: 'GET', path: `/utils/address/${encodeURIComponent(address)}`, ...opts },
      addressValiditySchema,
    );
  }

  // ---- wallet (api_key) ----

  /** GET /wallet/status */
  walletStatus(opts: CallOptions = {}): Promise<WalletStatus> {
    return this.call({ method: 'GET', path: '/wallet/status', auth: true, ...opts }, walletStatusSchema);
  }

  /** POST /wallet/unlock {"pass"}; a failure (wrong password, already unlocked…) is a NodeApiError. */
  async walletUnlock(pass: string, opts: Omit<CallOptions, 'retries'> = {}): Promise<void> {
    await this.http.request({ method: 'POST', path: '/wallet/unlock', auth: true, body: { pass }, ...opts });
  }

  /** GET /wallet/lock */
  async walletLock(opts: CallOptions = {}): Promise<void> {
    await this.http.request({ method: 'GET', path: '/wallet/lock', auth: true, ...opts });
  }

  /** GET /wallet/balances (confirmed; reward boxes count only once mature). */
  walletBalances(opts: CallOptions = {}): Promise<WalletBalances> {
    return this.call({ method: 'GET', path: '/wallet/balances', auth: true, ...opts }, walletBalancesSchema);
  }

  /** GET /wallet/addresses */
  walletAddresses(opts: CallOptions = {}): Promise<string[]> {
    return this.call({ method: 'GET', path: '/wallet/addresses', auth: true, ...opts }, stringArraySchema);
  }

  /**
   * POST /wallet/payment/send: one transaction paying every request (the node adds its default fee).
   * Returns the transaction id. Never retried: a lost answer must be reconciled, not re-sent.
   */
  paymentSend(requests: readonly PaymentRequest[], opts: Omit<CallOptions, 'retries'> = {}): Promise<string> {
    return this.call(
      { method: 'POST', path: '/wallet/payment/send', auth: true, body: requests, ...opts, retries: 0 },
      txIdSchema,
    );
  }

  /** POST /wallet/transaction/send (explicit fee, optional inputs). Returns the tx id. Never retried. */
  transactionSend(request: TransactionRequest, opts: Omit<CallOptions, 'retries'> = {}): Promise<string> {
    return this.call(
      { method: 'POST', path: '/wallet/transaction/send', auth: true, body: request, ...opts, retries: 0 },
      txIdSchema,
    );
  }

  /** GET /wallet/transactionById?id=…; null when it is not a wallet transaction (404). */
  walletTransactionById(txId: string, opts: CallOptions = {}): Promise<WalletTransaction | null> {
    return this.callOrNull(
      { method: 'GET', path: '/wallet/transactionById', query: { id: id(txId) }, auth: true, ...opts },
      walletTransactionSchema,
    );
  }

  /** GET /wallet/transactions?minInclusionHeight&maxInclusionHeight */
  walletTransactions(
    query: WalletTransactionsQuery = {},
    opts: CallOptions = {},
  ): Promise<WalletTransaction[]> {
    return this.call(
      {
        method: 'GET',
        path: '/wallet/transactions',
        query: {
          minInclusionHeight: optionalUint(query.minInclusionHeight, 'minInclusionHeight'),
          maxInclusionHeight: optionalUint(query.maxInclusionHeight, 'maxInclusionHeight'),
        },
        auth: true,
        ...opts,
      },
      walletTransactionSchema.array(),
    );
  }
}

function uint(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new RangeError(`${what} must be a non-negative integer`);
  return value;
}

function optionalUint(value: number | undefined, what: string): number | undefined {
  return value === undefined ? undefined : uint(value, what);
}

/** A header or transaction id: 32 bytes hex (also keeps the path safe). */
function id(value: string): string {
  if (!/^[0-9a-fA-F]{64}$/.test(value)) throw new RangeError(`id must be 32 bytes of hex, got "${value}"`);
  return value.toLowerCase();
}
