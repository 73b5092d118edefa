import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import pino from 'pino';
import { shareBans } from '../../src/cli/cluster-bans.ts';
import { connectRedis } from '../../src/cli/services.ts';
import { TestStratumClient } from '../helpers/stratum-client.ts';
import { MINER_ADDRESS, msgHex, startHarness } from '../helpers/stratum-harness.ts';

/** Bans shared across stratum instances through Redis (issue 13, item 2). */
const LOGIN = `${MINER_ADDRESS}.rig`;
const BAN = { enabled: true, checkThreshold: 10, invalidPercent: 50, banSeconds: 60, exempt: [] };
const REDIS = process.env.ENIGMAPOOL_TEST_REDIS ?? 'redis://127.0.0.1:6379';
const silent = pino({ level: 'silent' });
const invalidWork = (k: number) => `ffff${k.toString(16).padStart(12, '0')}`;

async function miner(port: number, localAddress: string) {
  const client = await TestStratumClient.open(port, { localAddress });
  await client.send('mining.subscribe', ['test']);
  await client.send('mining.authorize', [LOGIN, 'x']);
  const notify = await client.nextNotify();
  return { client, jobId: (notify.params as string[])[0]! };
}

describe('bans shared through Redis', { timeout: 60_000 }, () => {
  it('a ban on one instance closes and refuses the address on the others, and on one started later', async () => {
    const prefix = `enigmapool-test:${randomUUID()}:`;
    const links = [connectRedis(REDIS, silent), connectRedis(REDIS, silent), connectRedis(REDIS, silent)];
    const harnesses = await Promise.all([0, 1].map(() => startHarness({ limits: { ban: BAN } })));
    const stops: (() => Promise<void>)[] = [];
    try {
      for (const [k, h] of harnesses.entries()) {
        h.server.setWork({ msg: msgHex(1), b: 1n, height: 1000, version: 3 });
        stops.push(
          await shareBans({ stratum: h.server, redis: links[k]!, prefix, origin: `i${k}`, logger: silent }),
        );
      }
      await new Promise((r) => setTimeout(r, 200)); // both subscribed
      const [one, two] = harnesses;
      const onTwo = await miner(two!.ports[0]!.port, '127.0.8.1');
      const bystander = await miner(two!.ports[0]!.port, '127.0.8.2');
      const bad = await miner(one!.ports[0]!.port, '127.0.8.1');
      for (let k = 0; k < 10 && !bad.client.closed; k++)
        await bad.client
          .send('mining.submit', [LOGIN, bad.jobId, '', '', invalidWork(k)])
          .catch(() => undefined);
      await bad.client.whenClosed();
      await onTwo.client.whenClosed(); // the other instance closed the same address
      assert.equal(bystander.client.closed, false, 'another address is untouched');
      await assert.rejects(miner(two!.ports[0]!.port, '127.0.8.1'), 'refused on the other instance');

      // An instance that starts now loads the ban in force.
      const three = await startHarness({ limits: { ban: BAN } });
      harnesses.push(three);
      three.server.setWork({ msg: msgHex(1), b: 1n, height: 1000, version: 3 });
      stops.push(
        await shareBans({ stratum: three.server, redis: links[2]!, prefix, origin: 'i2', logger: silent }),
      );
      await assert.rejects(miner(three.ports[0]!.port, '127.0.8.1'), 'refused by a later instance');
      const fine = await miner(three.ports[0]!.port, '127.0.8.3');
      assert.equal(fine.client.closed, false);
      fine.client.close();
      bystander.client.close();
    } finally {
      for (const stop of stops) await stop();
      for (const h of harnesses) await h.close();
      const keys = await links[0]!.commands.keys(`${prefix}*`);
      if (keys.length > 0) await links[0]!.commands.del(...keys);
      for (const l of links) await l.close();
    }
  });
});
