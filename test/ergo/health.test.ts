import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { smoothLatency, verdictChanged } from '../../src/ergo/health.ts';
import {
  classifyHealth,
  compareNodes,
  type HealthProblem,
  type NodeRanking,
  type NodeStatus,
  selectBestNode,
} from '../../src/ergo/index.ts';

type Info = Parameters<typeof classifyHealth>[0];
const info = (over: Partial<NonNullable<Info>> = {}): NonNullable<Info> => ({
  fullHeight: 1_000,
  headersHeight: 1_000,
  maxPeerHeight: 1_000,
  peersCount: 8,
  ...over,
});

describe('node health classification (protocol.md B.3)', () => {
  const cases: {
    name: string;
    info: Info;
    candidate: { h: number } | null;
    status: NodeStatus;
    problems: HealthProblem[];
  }[] = [
    { name: 'synced tip', info: info(), candidate: { h: 1_001 }, status: 'synced', problems: [] },
    {
      name: 'peers one block ahead is still synced',
      info: info({ maxPeerHeight: 1_001 }),
      candidate: { h: 1_001 },
      status: 'synced',
      problems: [],
    },
    {
      name: 'peers two blocks ahead',
      info: info({ maxPeerHeight: 1_002 }),
      candidate: { h: 1_001 },
      status: 'syncing',
      problems: ['behind-peers'],
    },
    {
      name: 'peers behind us is fine',
      info: info({ maxPeerHeight: 990 }),
      candidate: { h: 1_001 },
      status: 'synced',
      problems: [],
    },
    {
      name: 'no peers',
      info: info({ peersCount: 0, maxPeerHeight: null }),
      candidate: { h: 1_001 },
      status: 'syncing',
      problems: ['no-peers'],
    },
    {
      name: 'peers without a reported height',
      info: info({ maxPeerHeight: null }),
      candidate: { h: 1_001 },
      status: 'syncing',
      problems: ['peer-height-unknown'],
    },
    {
      name: 'full blocks behind headers',
      info: info({ fullHeight: 990 }),
      candidate: { h: 991 },
      status: 'syncing',
      problems: ['full-blocks-behind-headers'],
    },
    {
      name: 'fresh node: null heights, no peers, no candidate',
      info: info({ fullHeight: null, headersHeight: null, maxPeerHeight: null, peersCount: 0 }),
      candidate: null,
      status: 'syncing',
      problems: ['no-chain', 'no-peers', 'no-candidate'],
    },
    {
      name: 'headers known, no full block yet',
      info: info({ fullHeight: null, headersHeight: 500 }),
      candidate: null,
      status: 'syncing',
      problems: ['no-chain', 'behind-peers', 'no-candidate'],
    },
    {
      name: 'candidate for the tip itself (stale)',
      info: info(),
      candidate: { h: 1_000 },
      status: 'syncing',
      problems: ['candidate-height-mismatch'],
    },
    {
      name: 'candidate two above the tip',
      info: info(),
      candidate: { h: 1_002 },
      status: 'syncing',
      problems: ['candidate-height-mismatch'],
    },
    { name: 'candidate fails', info: info(), candidate: null, status: 'syncing', problems: ['no-candidate'] },
    { name: 'info fails', info: null, candidate: { h: 1_001 }, status: 'down', problems: ['unreachable'] },
    { name: 'nothing answers', info: null, candidate: null, status: 'down', problems: ['unreachable'] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(classifyHealth(c.info, c.candidate), { status: c.status, problems: c.problems });
    });
  }

  const POOL_KEY = `02${'ab'.repeat(32)}`;
  const keyCases: { name: string; pk: string; key: string | null; problems: string[] }[] = [
    {
      name: 'candidate pays the pool key (case-insensitive)',
      pk: POOL_KEY.toUpperCase(),
      key: POOL_KEY,
      problems: [],
    },
    {
      name: 'candidate pays another key',
      pk: `03${'cd'.repeat(32)}`,
      key: POOL_KEY,
      problems: ['reward-key-mismatch'],
    },
    { name: 'pool key not known yet', pk: POOL_KEY, key: null, problems: ['reward-key-unknown'] },
  ];
  for (const c of keyCases) {
    it(c.name, () => {
      const verdict = classifyHealth(info(), { h: 1_001, pk: c.pk }, c.key);
      assert.deepEqual(verdict, { status: c.problems.length ? 'syncing' : 'synced', problems: c.problems });
    });
  }

  it('a verdict change is a status or problem-list change', () => {
    const synced = { status: 'synced' as const, problems: [] };
    assert.equal(verdictChanged(synced, { status: 'synced', problems: [] }), false);
    assert.equal(verdictChanged(synced, { status: 'down', problems: ['unreachable'] }), true);
    assert.equal(
      verdictChanged(
        { status: 'syncing', problems: ['no-peers'] },
        { status: 'syncing', problems: ['behind-peers'] },
      ),
      true,
    );
  });
});

describe('best-node selection', () => {
  const node = (name: string, over: Partial<NodeRanking> = {}): NodeRanking => ({
    name,
    priority: 1,
    healthy: true,
    fullHeight: 1_000,
    latencyMs: 10,
    ...over,
  });

  const cases: { name: string; nodes: NodeRanking[]; current?: string | null; best: string | null }[] = [
    { name: 'no nodes', nodes: [], best: null },
    {
      name: 'none healthy',
      nodes: [node('a', { healthy: false }), node('b', { healthy: false })],
      best: null,
    },
    {
      name: 'lowest priority number wins',
      nodes: [node('a', { priority: 2 }), node('b', { priority: 1 })],
      best: 'b',
    },
    {
      name: 'height beats priority: a preferred node one block behind is not followed',
      nodes: [node('a', { priority: 1, fullHeight: 1_000 }), node('b', { priority: 2, fullHeight: 1_001 })],
      best: 'b',
    },
    {
      name: 'the backup at the best height stays current while the primary is one block behind',
      nodes: [node('a', { priority: 0, fullHeight: 1_000 }), node('b', { priority: 1, fullHeight: 1_001 })],
      current: 'b',
      best: 'b',
    },
    {
      name: 'back to the primary once it reaches the best height (a new job at the same height)',
      nodes: [node('a', { priority: 0, fullHeight: 1_001 }), node('b', { priority: 1, fullHeight: 1_001 })],
      current: 'b',
      best: 'a',
    },
    {
      name: 'same priority: higher fullHeight',
      nodes: [node('a', { fullHeight: 1_000 }), node('b', { fullHeight: 1_001 })],
      best: 'b',
    },
    {
      name: 'same priority and height: lower latency',
      nodes: [node('a', { latencyMs: 40 }), node('b', { latencyMs: 5 })],
      best: 'b',
    },
    {
      name: 'unknown latency ranks last',
      nodes: [node('a', { latencyMs: null }), node('b', { latencyMs: 500 })],
      best: 'b',
    },
    { name: 'full tie: by name', nodes: [node('b'), node('a')], best: 'a' },
    {
      name: 'unhealthy preferred node is skipped',
      nodes: [node('a', { priority: 0, healthy: false }), node('b', { priority: 5 })],
      best: 'b',
    },
    {
      name: 'current kept on a latency-only difference',
      nodes: [node('a', { latencyMs: 50 }), node('b', { latencyMs: 5 })],
      current: 'a',
      best: 'a',
    },
    {
      name: 'current left for a higher node of the same priority',
      nodes: [node('a', { fullHeight: 1_000 }), node('b', { fullHeight: 1_001 })],
      current: 'a',
      best: 'b',
    },
    {
      name: 'back to the preferred node once it is healthy again',
      nodes: [node('a', { priority: 1 }), node('b', { priority: 2 })],
      current: 'b',
      best: 'a',
    },
    {
      name: 'unhealthy current is left',
      nodes: [node('a', { healthy: false }), node('b')],
      current: 'a',
      best: 'b',
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.equal(selectBestNode(c.nodes, c.current ?? null), c.best));
  }

  it('compareNodes is a total order consistent with the table', () => {
    const nodes = [
      node('d', { fullHeight: 999 }),
      node('c', { priority: 2 }),
      node('b', { latencyMs: 20 }),
      node('a', { latencyMs: 10 }),
    ];
    assert.deepEqual(
      [...nodes].sort(compareNodes).map((n) => n.name),
      ['a', 'b', 'c', 'd'],
    );
  });

  it('latency is smoothed (EWMA)', () => {
    assert.equal(smoothLatency(null, 100), 100);
    assert.equal(smoothLatency(100, 200, 0.5), 150);
    assert.equal(smoothLatency(100, 100), 100);
  });
});
