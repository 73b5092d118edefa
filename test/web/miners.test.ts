import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hiveOsFlightSheet, login, minerRecipes, stratumUrl } from '../../web/src/lib/miners.ts';
import { timeRange, topWorkers } from '../../web/src/lib/series.ts';
import { topicsFor } from '../../web/src/lib/topics.ts';
import type { MinerHistoryPoint } from '../../web/src/lib/types.ts';

const address = '9fiKBhqDi8VHrEMnWcXhVR8uxa5Ys1jeVWh3kpJdBCiLd7bYQag';
const plain = { host: 'pool.example.com', port: 3052, tls: false, address, worker: 'rig1' };
const tls = { ...plain, port: 3053, tls: true };

describe('web connect: miner command lines from the pool config', () => {
  it('builds stratum URLs and logins', () => {
    assert.equal(stratumUrl(plain), 'stratum+tcp://pool.example.com:3052');
    assert.equal(stratumUrl(tls), 'stratum+ssl://pool.example.com:3053');
    assert.equal(stratumUrl({ host: '::1', port: 3052, tls: false }), 'stratum+tcp://[::1]:3052');
    assert.equal(login(plain), `${address}.rig1`);
    assert.equal(login({ address, worker: '' }), address);
  });

  // Each miner's own spelling of Autolykos2, and the exact line a miner pastes.
  const expected: [string, string, string, string][] = [
    [
      'lolminer',
      'AUTOLYKOS2',
      `lolMiner --algo AUTOLYKOS2 --pool pool.example.com:3052 --user ${address}.rig1`,
      `lolMiner --algo AUTOLYKOS2 --pool stratum+ssl://pool.example.com:3053 --user ${address}.rig1`,
    ],
    [
      'teamredminer',
      'autolykos2',
      `teamredminer -a autolykos2 -o stratum+tcp://pool.example.com:3052 -u ${address}.rig1 -p x`,
      `teamredminer -a autolykos2 -o stratum+ssl://pool.example.com:3053 -u ${address}.rig1 -p x`,
    ],
    [
      'srbminer',
      'autolykos2',
      `SRBMiner-MULTI --algorithm autolykos2 --pool pool.example.com:3052 --wallet ${address}.rig1 --password x`,
      `SRBMiner-MULTI --algorithm autolykos2 --pool pool.example.com:3053 --wallet ${address}.rig1 --password x --tls true`,
    ],
    [
      'nanominer',
      'autolykos',
      `[autolykos]\nwallet = ${address}\nrigName = rig1\npool1 = pool.example.com:3052`,
      `[autolykos]\nwallet = ${address}\nrigName = rig1\npool1 = pool.example.com:3053\nuseSSL = true`,
    ],
    [
      'rigel',
      'autolykos2',
      `rigel -a autolykos2 -o stratum+tcp://pool.example.com:3052 -u ${address} -w rig1`,
      `rigel -a autolykos2 -o stratum+ssl://pool.example.com:3053 -u ${address} -w rig1`,
    ],
    [
      'gminer',
      'autolykos2',
      `miner --algo autolykos2 --server pool.example.com:3052 --user ${address}.rig1`,
      `miner --algo autolykos2 --server pool.example.com:3053 --user ${address}.rig1 --ssl 1`,
    ],
    [
      'bzminer',
      'ergo',
      `bzminer -a ergo -w ${address}.rig1 -p stratum+tcp://pool.example.com:3052`,
      `bzminer -a ergo -w ${address}.rig1 -p stratum+ssl://pool.example.com:3053`,
    ],
  ];
  for (const [id, algorithm, plainLine, tlsLine] of expected) {
    it(`${id}: "${algorithm}", plain and TLS`, () => {
      const p = minerRecipes(plain).find((r) => r.id === id)!;
      const t = minerRecipes(tls).find((r) => r.id === id)!;
      assert.equal(p.algorithm, algorithm);
      assert.equal(p.text, plainLine);
      assert.equal(t.text, tlsLine);
    });
  }

  it('covers the seven miners of the connect page, in order', () => {
    assert.deepEqual(
      minerRecipes(plain).map((r) => r.name),
      ['lolMiner', 'TeamRedMiner', 'SRBMiner-MULTI', 'nanominer', 'Rigel', 'GMiner', 'BzMiner'],
    );
  });

  it('leaves the worker out when there is none', () => {
    const noWorker = minerRecipes({ ...plain, worker: '' });
    assert.match(noWorker.find((r) => r.id === 'rigel')!.text, /-u 9\w+$/);
    assert.doesNotMatch(noWorker.find((r) => r.id === 'nanominer')!.text, /rigName/);
  });

  it('gives the HiveOS flight sheet fields', () => {
    const fields = Object.fromEntries(hiveOsFlightSheet(plain).map((f) => [f.label, f.value]));
    assert.equal(fields['Pool URL'], 'pool.example.com:3052');
    assert.equal(fields['Wallet and worker template'], '%WAL%.%WORKER_NAME%');
    assert.equal(
      Object.fromEntries(hiveOsFlightSheet(tls).map((f) => [f.label, f.value]))['Pool URL'],
      stratumUrl(tls),
    );
  });
});

describe('web live: which data an event makes stale', () => {
  const cases: [string, string[]][] = [
    ['stats', ['stats', 'miners', 'network']],
    ['block.found', ['blocks', 'stats', 'miners']],
    ['block.progress', ['blocks', 'stats', 'miners']],
    ['payment.sent', ['payments', 'miners']],
    ['height', ['network', 'blocks']],
    ['node.down', ['pool']],
    ['hello', []],
    ['something.new', []],
  ];
  for (const [type, topics] of cases) {
    it(`${type} → ${topics.join(', ') || 'nothing'}`, () =>
      assert.deepEqual(topicsFor({ type } as Parameters<typeof topicsFor>[0]), topics));
  }
});

describe('web chart: the workers drawn on a miner’s chart', () => {
  const at = '2026-12-01T20:00:00.000Z';
  it('keeps the busiest workers, ties by name', () => {
    const points: MinerHistoryPoint[] = [
      { at, hashrate: 6, workers: { b: 1, a: 1, big: 4 } },
      { at, hashrate: 4, workers: { b: 1, a: 1, c: 2 } },
    ];
    assert.deepEqual(topWorkers(points, 2), ['big', 'a']);
    assert.deepEqual(topWorkers(points, 10), ['big', 'a', 'b', 'c']);
    assert.deepEqual(topWorkers([], 3), []);
  });
});

describe('web chart: the time axis', () => {
  const now = 1_000_000;
  const cases: [string, number[], [number, number]][] = [
    ['no samples: the last 10 minutes', [], [now - 600, now]],
    ['a new pool: from its first sample', [now - 3000, now - 60], [now - 3000, now]],
    ['one sample: still 10 minutes wide', [now - 5], [now - 600, now]],
    ['a full day and more: the last 24 h', [now - 200_000, now - 50_000, now - 10], [now - 86_400, now]],
    ['a sample after now (clock skew): up to it', [now - 1000, now + 30], [now - 1000, now + 30]],
  ];
  for (const [name, times, range] of cases)
    it(name, () => assert.deepEqual(timeRange(times, now, 86_400), range));
});
