import { EventEmitter } from 'node:events';
import pino, { type Logger } from 'pino';
import { ErgoNodeClient, type ErgoNodeClientOptions } from './client.ts';
import { describeError } from './errors.ts';
import { type HealthProblem, type NodeStatus, selectBestNode, verdictChanged } from './health.ts';
import { REAL_TIMERS } from './http.ts';
import type {
  NodeConfig,
  NodeSetEvents,
  NodeSetHealth,
  NodeSetOptions,
  WorkEvent,
} from './node-set-types.ts';
import { Resubmitter } from './resubmit.ts';
import { RewardKey } from './reward-key.ts';
import { type SubmissionOutcome, submitToAll } from './submit.ts';
import { NodeWatcher } from './watcher.ts';

interface Member {
  config: NodeConfig;
  watcher: NodeWatcher;
  reported: { status: NodeStatus; problems: HealthProblem[] };
}

/**
 * Several Ergo nodes with failover: each is watched; work comes from the best healthy one (switching
 * within a poll when it falls behind or dies, and back when it recovers); block solutions go to all
 * healthy nodes at once; payouts use exactly the one configured wallet node.
 */
export class NodeSet extends EventEmitter<NodeSetEvents> {
  private readonly members: Member[];
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly walletName: string | null;
  private currentName: string | null = null;
  private lastWork: WorkEvent | null = null;
  private lastHeight: number | null = null;
  private running = false;
  private readonly submissions = new Set<Promise<unknown>>();
  private readonly rewardKey: RewardKey;
  private readonly resubmitter: Resubmitter;

  constructor(options: NodeSetOptions) {
    super();
    if (options.nodes.length === 0) throw new RangeError('NodeSet needs at least one node');
    const names = new Set(options.nodes.map((n) => n.name));
    if (names.size !== options.nodes.length) throw new RangeError('node names must be unique');
    if (options.walletNode !== undefined && !names.has(options.walletNode))
      throw new RangeError(`walletNode "${options.walletNode}" is not one of the nodes`);
    for (const n of options.nodes)
      if (!Number.isFinite(n.priority)) throw new RangeError(`node "${n.name}" needs a numeric priority`);
    this.walletName = options.walletNode ?? null;
    this.logger = options.logger ?? pino({ level: 'silent' });
    this.now = options.now ?? Date.now;
    const timers = options.timers ?? REAL_TIMERS;
    const pollIntervalMs = options.pollIntervalMs ?? 500;
    if (!(pollIntervalMs > 0)) throw new RangeError('pollIntervalMs must be positive');
    const watcherOptions = {
      pollIntervalMs,
      pollTimeoutMs: options.pollTimeoutMs ?? Math.max(1_000, 4 * pollIntervalMs),
      longPoll: options.longPoll ?? false,
      timers,
      now: this.now,
      logger: this.logger,
      rewardKey: () => this.rewardKey.current,
    };
    this.members = options.nodes.map((config) => {
      const clientOptions: ErgoNodeClientOptions = {
        name: config.name,
        url: config.url,
        apiKey: config.apiKey,
        apiKeyOnAllRoutes: options.apiKeyOnAllRoutes,
        timeoutMs: options.timeoutMs,
        retries: options.retries,
        backoff: options.backoff,
        fetch: options.fetch,
        logger: this.logger,
        timers,
        random: options.random,
        now: this.now,
      };
      const watcher = new NodeWatcher(new ErgoNodeClient(clientOptions), watcherOptions, (w) =>
        this.onPoll(w),
      );
      return { config, watcher, reported: { status: 'unknown', problems: [] } };
    });
    this.resubmitter = new Resubmitter({
      intervalMs: options.resubmitIntervalMs ?? 1_000,
      timers,
      logger: this.logger,
      now: this.now,
      currentHeight: () => this.lastWork?.work.h ?? null,
      onResult: (e) => {
        if (e.result.accepted) for (const m of this.members) m.watcher.pollNow();
        this.emitSafe('resubmit', e);
      },
    });
    const keyNode = this.walletName ?? options.nodes[0]!.name;
    this.rewardKey = new RewardKey(options.rewardPublicKey, this.client(keyNode), {
      intervalMs: pollIntervalMs,
      timers,
      logger: this.logger,
      onLearned: () => {
        for (const m of this.members) m.watcher.pollNow();
      },
    });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.logger.info({ nodes: this.members.map((m) => m.config.name) }, 'node set started');
    this.rewardKey.start();
    for (const m of this.members) m.watcher.start();
  }

  /**
   * Stops polling: aborts requests in flight, clears every timer, waits for block submissions in flight and
   * makes one last attempt at the solutions some node has not answered yet.
   */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all([this.rewardKey.stop(), ...this.members.map((m) => m.watcher.stop())]);
    await Promise.allSettled([...this.submissions]);
    await this.resubmitter.flush();
  }

  /** The pool's reward key (every candidate the pool hands out pays it); rejects while it is not known yet. */
  rewardPublicKey(): Promise<string> {
    return this.rewardKey.get();
  }

  /** Every node's client, in config order (e.g. to look for a transaction in every mempool). */
  clients(): ErgoNodeClient[] {
    return this.members.map((m) => m.watcher.client);
  }

  /** The client of one node by name. */
  client(name: string): ErgoNodeClient {
    const m = this.members.find((x) => x.config.name === name);
    if (!m) throw new RangeError(`unknown node "${name}"`);
    return m.watcher.client;
  }

  /** The wallet node's client: payouts use exactly this node, whatever its mining health. */
  wallet(): ErgoNodeClient {
    if (this.walletName === null) throw new Error('no walletNode configured');
    return this.client(this.walletName);
  }

  /** Node work currently comes from (null while none is healthy). */
  get current(): string | null {
    return this.currentName;
  }

  /** The last work handed out; stays while all nodes are down. */
  currentWork(): WorkEvent | null {
    return this.lastWork;
  }

  /**
   * Posts the solution to every healthy node, the current one and the node the last work came from, in
   * parallel, each once. Accepted if any node returned 200; "Block already solved" elsewhere is fine. With the
   * candidate's height, the nodes that did not answer (timeout, unreachable) get it again in the background
   * while that height is current, unless a node accepted it.
   */
  submitSolution(nonceHex: string, candidate?: { height: number }): Promise<SubmissionOutcome> {
    if (!/^[0-9a-fA-F]{16}$/.test(nonceHex))
      return Promise.reject(new RangeError(`nonce must be 8 bytes of hex, got "${nonceHex}"`));
    const wanted = new Set<string>();
    for (const m of this.members) if (m.watcher.state.status === 'synced') wanted.add(m.config.name);
    if (this.currentName) wanted.add(this.currentName);
    if (this.lastWork) wanted.add(this.lastWork.node);
    // Nothing known to be healthy: a solution is too valuable not to try everywhere.
    const targets = wanted.size > 0 ? this.members.filter((m) => wanted.has(m.config.name)) : this.members;
    const run = submitToAll(
      targets.map((m) => m.watcher.client),
      nonceHex,
      this.logger,
      this.now,
    ).then((outcome) => {
      // A new block means new candidates: poll now instead of waiting for the next tick.
      if (outcome.accepted) for (const m of this.members) m.watcher.pollNow();
      else if (candidate) {
        const silent = new Set(outcome.results.filter((r) => r.status === null).map((r) => r.node));
        this.resubmitter.add(
          nonceHex,
          candidate.height,
          targets.filter((m) => silent.has(m.config.name)).map((m) => m.watcher.client),
        );
      }
      return outcome;
    });
    this.submissions.add(run);
    void run.finally(() => this.submissions.delete(run)).catch(() => {});
    return run;
  }

  /** Snapshot for the API and metrics. */
  health(): NodeSetHealth {
    const work = this.lastWork;
    return {
      current: this.currentName,
      rewardKey: this.rewardKey.current,
      work: work
        ? { msg: work.work.msg, height: work.work.h, node: work.node, receivedAt: work.receivedAt }
        : null,
      nodes: this.members.map(({ config, watcher }) => {
        const s = watcher.state;
        return {
          name: config.name,
          url: watcher.client.url,
          priority: config.priority,
          status: s.status,
          problems: [...s.problems],
          fullHeight: s.info?.fullHeight ?? null,
          headersHeight: s.info?.headersHeight ?? null,
          maxPeerHeight: s.info?.maxPeerHeight ?? null,
          peersCount: s.info?.peersCount ?? null,
          candidateHeight: s.candidate?.h ?? null,
          candidatePk: s.candidate?.pk ?? null,
          latencyMs: s.latencyMs === null ? null : Math.round(s.latencyMs),
          lastError: s.lastError,
          lastErrorAt: s.lastErrorAt,
          lastSuccessAt: s.lastSuccessAt,
          checkedAt: s.checkedAt,
          current: config.name === this.currentName,
          wallet: config.name === this.walletName,
        };
      }),
    };
  }

  private onPoll(watcher: NodeWatcher): void {
    if (!this.running) return;
    const member = this.members.find((m) => m.watcher === watcher)!;
    const { status, problems } = watcher.state;
    if (verdictChanged(member.reported, watcher.state)) {
      const previous = member.reported.status;
      member.reported = { status, problems: [...problems] };
      const fields = { node: member.config.name, status, previous, problems, error: watcher.state.lastError };
      if (status === 'synced') this.logger.info(fields, 'node healthy');
      else if (problems.includes('reward-key-mismatch'))
        this.logger.error(
          { ...fields, candidatePk: watcher.state.candidate?.pk, rewardKey: this.rewardKey.current },
          `node ${member.config.name} hands out work paying key ${watcher.state.candidate?.pk}, not the pool's ` +
            `reward key ${this.rewardKey.current}: it gets no miners (blocks on its work would pay a wallet payouts never ` +
            "touch); give it the pool's mining key (node.miningPubKeyHex, or the same wallet)",
        );
      else this.logger.warn(fields, 'node unhealthy');
      this.emitSafe('health', { node: member.config.name, status, previous, problems: [...problems] });
    }
    this.evaluate();
  }

  /** Picks the node to follow and hands out its work/height when they changed. */
  private evaluate(): void {
    // Until every node answered once, a later answer from a preferred node would cause a switch at once.
    if (this.members.some((m) => m.watcher.state.status === 'unknown')) return;
    const best = selectBestNode(
      this.members.map(({ config, watcher }) => ({
        name: config.name,
        priority: config.priority,
        healthy: watcher.state.status === 'synced',
        fullHeight: watcher.state.info?.fullHeight ?? null,
        latencyMs: watcher.state.latencyMs,
      })),
      this.currentName,
    );
    if (best !== this.currentName) {
      const from = this.currentName;
      this.currentName = best;
      if (best === null)
        this.logger.error(
          { from },
          'no healthy Ergo node: keeping miners on the last work until one recovers',
        );
      else if (from === null) this.logger.info({ to: best }, 'taking work from a node');
      else this.logger.warn({ from, to: best }, 'switching work to another node');
      this.emitSafe('switch', { from, to: best });
    }
    if (best === null) return;
    const state = this.members.find((m) => m.config.name === best)!.watcher.state;
    const work = state.candidate;
    const info = state.info;
    if (!work || !info || info.fullHeight === null) return;
    if (this.lastWork?.work.msg !== work.msg) {
      this.lastWork = {
        work,
        node: best,
        blockVersion: info.parameters.blockVersion,
        tipHeight: info.fullHeight,
        receivedAt: this.now(),
      };
      this.logger.debug({ node: best, height: work.h, msg: work.msg }, 'new work');
      this.emitSafe('work', this.lastWork);
    } else if (this.lastWork.node !== best) {
      // Same candidate from another node (nodes that share a mempool can agree): no new job, new source.
      this.lastWork = { ...this.lastWork, node: best, tipHeight: info.fullHeight };
    }
    if (info.fullHeight !== this.lastHeight) {
      const previous = this.lastHeight;
      this.lastHeight = info.fullHeight;
      this.emitSafe('height', { height: info.fullHeight, previous, node: best });
    }
  }

  /** A throwing listener must not break polling. */
  private emitSafe<K extends keyof NodeSetEvents>(event: K, ...args: NodeSetEvents[K]): void {
    try {
      (this.emit as (e: K, ...a: NodeSetEvents[K]) => boolean)(event, ...args);
    } catch (err) {
      this.logger.error({ event, err: describeError(err) }, 'node set listener failed');
    }
  }
}
