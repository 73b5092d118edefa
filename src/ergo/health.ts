/**
 * Pure node-health rules: is a node synced enough to take work from, and which node is best.
 * No I/O here; the watcher feeds observations in, the node set acts on the verdicts.
 */

/** unknown = not polled yet; down = /info does not answer; syncing = answers but must not give work. */
export type NodeStatus = 'unknown' | 'synced' | 'syncing' | 'down';

export type HealthProblem =
  /** GET /info failed (refused, timeout, error status, malformed). */
  | 'unreachable'
  /** fullHeight or headersHeight is null: a fresh node without a chain. */
  | 'no-chain'
  /** fullHeight < headersHeight: full blocks are still being downloaded or applied. */
  | 'full-blocks-behind-headers'
  /** headersHeight < maxPeerHeight − 1: peers know a longer chain. */
  | 'behind-peers'
  /** Peers are connected but none reported a height yet, so "behind" cannot be ruled out. */
  | 'peer-height-unknown'
  /** peersCount == 0: an isolated node mines on a chain nobody else sees. */
  | 'no-peers'
  /** GET /mining/candidate failed (no miner key, generation failed, timeout). */
  | 'no-candidate'
  /** The candidate is not for fullHeight + 1: it builds on something other than the tip. */
  | 'candidate-height-mismatch'
  /**
   * The candidate pays another key than the pool's reward key: blocks mined on it would pay a wallet the
   * payouts never touch, and the block lifecycle would not recognise them as the pool's.
   */
  | 'reward-key-mismatch'
  /** The pool's reward key is not known yet (its source node has not answered), so no candidate can be trusted. */
  | 'reward-key-unknown';

export interface InfoObservation {
  fullHeight: number | null;
  headersHeight: number | null;
  maxPeerHeight: number | null;
  peersCount: number;
}

export interface HealthVerdict {
  status: Exclude<NodeStatus, 'unknown'>;
  problems: HealthProblem[];
}

/**
 * protocol.md B.3: synced iff fullHeight == headersHeight, headersHeight ≥ maxPeerHeight − 1,
 * peersCount > 0 and the candidate answers with h == fullHeight + 1, paying the pool's reward key.
 * `info`/`candidate` null = that request failed. `rewardKey`: the pool's key (33 bytes hex); null = not
 * known yet (nothing is trusted); undefined = not checked.
 */
export function classifyHealth(
  info: InfoObservation | null,
  candidate: { h: number; pk?: string } | null,
  rewardKey?: string | null,
): HealthVerdict {
  if (!info) return { status: 'down', problems: ['unreachable'] };
  const problems: HealthProblem[] = [];
  const { fullHeight, headersHeight, maxPeerHeight, peersCount } = info;
  if (fullHeight === null || headersHeight === null) problems.push('no-chain');
  else if (fullHeight < headersHeight) problems.push('full-blocks-behind-headers');
  if (headersHeight !== null) {
    if (maxPeerHeight === null) {
      if (peersCount > 0) problems.push('peer-height-unknown');
    } else if (headersHeight < maxPeerHeight - 1) problems.push('behind-peers');
  }
  if (peersCount <= 0) problems.push('no-peers');
  if (!candidate) problems.push('no-candidate');
  else if (fullHeight !== null && candidate.h !== fullHeight + 1) problems.push('candidate-height-mismatch');
  if (rewardKey === null) problems.push('reward-key-unknown');
  else if (rewardKey !== undefined && candidate && candidate.pk?.toLowerCase() !== rewardKey.toLowerCase())
    problems.push('reward-key-mismatch');
  return { status: problems.length === 0 ? 'synced' : 'syncing', problems };
}

/** Whether two verdicts differ (status or the set of problems); a change is worth a 'health' event. */
export function verdictChanged(
  a: { status: NodeStatus; problems: readonly HealthProblem[] },
  b: { status: NodeStatus; problems: readonly HealthProblem[] },
): boolean {
  return a.status !== b.status || a.problems.join(',') !== b.problems.join(',');
}

export interface NodeRanking {
  name: string;
  /** Lower is preferred (config). */
  priority: number;
  healthy: boolean;
  fullHeight: number | null;
  /** Smoothed round trip of the health poll; null before the first answer. */
  latencyMs: number | null;
}

/**
 * Order of preference among healthy nodes: highest fullHeight, then lowest priority number, then lowest
 * latency, then name (deterministic). Negative when `a` is better. Height comes first: work from a node
 * behind the best one is for a height the network has passed (the stratum would drop it as older work, and
 * shares on it could never be blocks); priority decides among the nodes at the best height.
 */
export function compareNodes(a: NodeRanking, b: NodeRanking): number {
  const ha = a.fullHeight ?? -1;
  const hb = b.fullHeight ?? -1;
  if (ha !== hb) return hb - ha;
  if (a.priority !== b.priority) return a.priority - b.priority;
  const la = a.latencyMs ?? Number.POSITIVE_INFINITY;
  const lb = b.latencyMs ?? Number.POSITIVE_INFINITY;
  if (la !== lb) return la < lb ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * The node to take work from, or null when none is healthy. The current node is kept while it is
 * healthy and ties the best on height and priority: latency alone never causes a switch (each switch
 * sends miners a new job).
 */
export function selectBestNode(nodes: readonly NodeRanking[], current: string | null = null): string | null {
  const healthy = nodes.filter((n) => n.healthy);
  if (healthy.length === 0) return null;
  const best = [...healthy].sort(compareNodes)[0]!;
  const cur = healthy.find((n) => n.name === current);
  if (cur && cur.priority === best.priority && (cur.fullHeight ?? -1) === (best.fullHeight ?? -1))
    return cur.name;
  return best.name;
}

/** Exponentially weighted moving average of latency samples (weight of the new sample: alpha). */
export function smoothLatency(previous: number | null, sample: number, alpha = 0.3): number {
  return previous === null ? sample : previous + alpha * (sample - previous);
}
