import type { Logger } from 'pino';
import type { HealthProblem, NodeStatus } from './health.ts';
import type { Timers } from './http.ts';
import type { ResubmitEvent } from './resubmit.ts';
import type { BackoffPolicy } from './retry.ts';
import type { WorkMessage } from './wire.ts';

/** The NodeSet's options, events and health snapshot. */

export interface NodeConfig {
  name: string;
  url: string;
  apiKey?: string;
  /** Lower is preferred among the nodes at the best height (height first, then priority, then latency). */
  priority: number;
}

export interface NodeSetOptions {
  nodes: readonly NodeConfig[];
  /** Name of the node whose wallet pays out (exactly that one; never failed over). */
  walletNode?: string;
  /**
   * The pool's reward key (33 bytes compressed hex): every node's candidate must pay it, or that node gets no
   * miners. Default: learned from the wallet node's /mining/rewardPublicKey (without a wallet node, from the
   * first node listed); until it is known no node is healthy.
   */
  rewardPublicKey?: string;
  /** Health/work poll period per node (default 500 ms). */
  pollIntervalMs?: number;
  /** Timeout of each health request (default max(1000, 4 × pollIntervalMs)); a stalled node is noticed after it. */
  pollTimeoutMs?: number;
  /** A block solution a node did not answer is sent to it again this often while its height is current (default 1 s). */
  resubmitIntervalMs?: number;
  /** Long-poll /mining/candidate?longpoll=<msg> on synced nodes as well (default false). */
  longPoll?: boolean;
  /** Request timeout of the clients' other calls (default 5000 ms). */
  timeoutMs?: number;
  /** GET retries of the clients (default 2). */
  retries?: number;
  backoff?: BackoffPolicy;
  /** Send api_key on every route. */
  apiKeyOnAllRoutes?: boolean;
  fetch?: typeof fetch;
  logger?: Logger;
  timers?: Timers;
  /** Wall clock in ms (timestamps, latency); default Date.now. */
  now?: () => number;
  random?: () => number;
}

/** New work from the node the pool currently follows. */
export interface WorkEvent {
  work: WorkMessage;
  node: string;
  /** parameters.blockVersion of that node (stratum notify idx 5). */
  blockVersion: number;
  /** That node's fullHeight (work.h − 1). */
  tipHeight: number;
  receivedAt: number;
}

/** The chain tip of the followed node changed (new block, or a switch to a node at another height). */
export interface HeightEvent {
  height: number;
  previous: number | null;
  node: string;
}

/** A node's status or problem list changed. */
export interface HealthEvent {
  node: string;
  status: NodeStatus;
  previous: NodeStatus;
  problems: HealthProblem[];
}

/** The node work is taken from changed; `to` null = no healthy node (the last work stays current). */
export interface SwitchEvent {
  from: string | null;
  to: string | null;
}

export interface NodeSetEvents {
  work: [WorkEvent];
  height: [HeightEvent];
  health: [HealthEvent];
  switch: [SwitchEvent];
  /** A block solution sent again to a node that had not answered it. */
  resubmit: [ResubmitEvent];
}

export interface NodeHealth {
  name: string;
  url: string;
  priority: number;
  status: NodeStatus;
  problems: HealthProblem[];
  fullHeight: number | null;
  headersHeight: number | null;
  maxPeerHeight: number | null;
  peersCount: number | null;
  candidateHeight: number | null;
  /** The key the node's candidate pays (must be the pool's reward key). */
  candidatePk: string | null;
  latencyMs: number | null;
  lastError: string | null;
  lastErrorAt: number | null;
  lastSuccessAt: number | null;
  checkedAt: number | null;
  /** Work currently comes from this node. */
  current: boolean;
  wallet: boolean;
}

export interface NodeSetHealth {
  /** Node work comes from now; null when none is healthy. */
  current: string | null;
  /** The pool's reward key every candidate must pay; null until learned. */
  rewardKey: string | null;
  /** The last work handed out (kept while all nodes are down). */
  work: { msg: string; height: number; node: string; receivedAt: number } | null;
  nodes: NodeHealth[];
}
