import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { payoutThresholdFromPassword } from '../../src/stratum/index.ts';
import { TestStratumClient } from '../helpers/stratum-client.ts';
import { type Harness, MINER_ADDRESS, msgHex, startHarness } from '../helpers/stratum-harness.ts';

describe('payout threshold in the stratum password (t=)', () => {
  const table: [unknown, string | null][] = [
    ['t=5', '5'],
    ['x,t=2.5', '2.5'],
    ['d=0.5;t=10', '10'],
    [' t=7 ', '7'],
    ['x', null],
    ['t=', null],
    ['t=-1', null],
    ['t=1e3', null],
    ['t=5ERG', null],
    [undefined, null],
    [42, null],
  ];
  for (const [password, expected] of table)
    it(`${JSON.stringify(password)} → ${expected}`, () =>
      assert.equal(payoutThresholdFromPassword(password), expected));

  let h: Harness;
  let port: number;
  before(async () => {
    h = await startHarness();
    port = h.ports[0]!.port;
    h.server.setWork({ msg: msgHex(7), b: 1n, height: 1_600_000, version: 3 });
  });
  after(() => h.close());

  const login = async (worker: string, password: string) => {
    const client = await TestStratumClient.open(port);
    const sub = await client.send('mining.subscribe', ['test']);
    const extranonce1 = (sub.result as [unknown, string])[1];
    await client.send('mining.authorize', [`${MINER_ADDRESS}.${worker}`, password]);
    const notify = await client.nextNotify();
    return { client, extranonce1, jobId: (notify.params as string[])[0]! };
  };

  it('is announced once, and only after the login has an accepted share on that connection', async () => {
    const seen: { address: string; payoutThreshold: string }[] = [];
    h.server.events.on('settings', (s) => seen.push(s));
    const { client, extranonce1, jobId } = await login('a', 'x,t=5');
    assert.equal(seen.length, 0, 'authorize alone changes nothing');
    const bad = await client.send('mining.submit', [
      `${MINER_ADDRESS}.a`,
      'no-such-job',
      '',
      '',
      `${extranonce1}000000000001`,
    ]);
    assert.notEqual(bad.error, null);
    assert.equal(seen.length, 0, 'a rejected share changes nothing');
    for (const k of [2, 3]) {
      const ok = await client.send('mining.submit', [
        `${MINER_ADDRESS}.a`,
        jobId,
        '',
        '',
        extranonce1 + k.toString(16).padStart(12, '0'),
      ]);
      assert.equal(ok.result, true);
    }
    assert.deepEqual(
      seen.map((s) => [s.address, s.payoutThreshold]),
      [[MINER_ADDRESS, '5']],
    );
    client.close();
  });
});
