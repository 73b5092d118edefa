import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { VerifierPool } from '../../src/autolykos/index.ts';
import { migrate, openDatabase } from '../../src/db/index.ts';
import {
  DatabaseShareStore,
  DurableShareSink,
  type JournalFs,
  nodeJournalFs,
} from '../../src/shares/index.ts';
import { TestStratumClient } from '../helpers/stratum-client.ts';
import { ergoServer, MINER_ADDRESS, msgHex } from '../helpers/stratum-harness.ts';
import { SpyFs, until } from './helpers.ts';

const LOGIN = `${MINER_ADDRESS}.rig`;
const nonceFor = (extranonce1: string, k: number) => extranonce1 + k.toString(16).padStart(12, '0');

/**
 * The disk the journal is on: a real 2 MiB tmpfs when this process may mount one (root), filled by a file
 * until ENOSPC; else (no root) the journal's injectable fs, whose writes fail while "full".
 */
function smallDisk(dir: string): {
  kind: string;
  fs: JournalFs;
  fill(): void;
  free(): void;
  unmount(): void;
} {
  mkdirSync(dir, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    const fs = new SpyFs();
    return {
      kind: 'the injectable fs, its writes failing (no root to mount a tmpfs)',
      fs,
      fill: () => {
        fs.fail.write = Number.POSITIVE_INFINITY;
      },
      free: () => {
        fs.fail.write = 0;
      },
      unmount: () => undefined,
    };
  }
  const filler = join(dir, 'filler');
  return {
    kind: 'a tmpfs of 2 MiB',
    fs: nodeJournalFs,
    fill() {
      const fd = openSync(filler, 'w');
      const chunk = Buffer.alloc(4096, 1);
      try {
        for (;;) writeSync(fd, chunk);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
      } finally {
        closeSync(fd); // an open file keeps its space after unlink
      }
    },
    free: () => unlinkSync(filler),
    unmount: () => execFileSync('umount', [dir]),
  };
}

describe('a full disk under the share journal (issue 11.14)', () => {
  it('disconnects the miners and refuses new ones while the journal cannot write, and takes them back after', async (t) => {
    const root = mkdtempSync(join(tmpdir(), 'ep-full-disk-'));
    const disk = smallDisk(join(root, 'disk'));
    t.after(() => {
      disk.unmount();
      rmSync(root, { recursive: true, force: true });
    });
    t.diagnostic(`journal on ${disk.kind}`);
    const db = await openDatabase({ dataDir: join(root, 'db') });
    await migrate(db);
    const sink = await DurableShareSink.open({
      dir: join(root, 'disk', 'journal'),
      store: new DatabaseShareStore(db, { defaultPoolId: 'ergo' }),
      fs: disk.fs,
      probeEveryMs: 50,
    });
    const verifier = await VerifierPool.start({ workers: 1 });
    const stratum = ergoServer({ start: '1e-10', verifier, sink }); // every nonce is a share
    const suspended: { at: number; closed: number }[] = [];
    stratum.events.on('suspended', (e) =>
      suspended.push({ at: performance.now(), closed: e.connectionsClosed }),
    );
    try {
      const [bound] = await stratum.start();
      const port = bound!.port;
      stratum.setWork({ msg: msgHex(1), b: 1n, height: 1000, version: 3 });
      const connect = async () => {
        const client = await TestStratumClient.open(port);
        const sub = await client.send('mining.subscribe', []);
        await client.send('mining.authorize', [LOGIN, 'x']);
        const notify = await client.nextNotify();
        return { client, extranonce1: (sub.result as string[])[1]!, jobId: (notify.params as string[])[0]! };
      };
      const miners = [await connect(), await connect()];
      const first = miners[0]!;
      const submit = (k: number) =>
        first.client.send('mining.submit', [LOGIN, first.jobId, '', '', nonceFor(first.extranonce1, k)]);
      assert.equal((await submit(1)).result, true);

      disk.fill();
      let closedAt = 0;
      first.client.socket.once('close', () => {
        closedAt = performance.now();
      });
      // The next commits fail (a tmpfs page already allocated may still take a few records first).
      let acked = 0;
      for (let k = 2; k < 200 && !first.client.closed; k++) {
        const reply = await Promise.race([submit(k), first.client.whenClosed().then(() => null)]);
        if (reply?.result === true) acked += 1;
      }
      await Promise.all(miners.map((m) => m.client.whenClosed()));
      assert.ok(acked < 198, 'no share is acknowledged once the journal cannot write');
      assert.equal(suspended.length, 1);
      assert.equal(suspended[0]!.closed, 2, 'every miner was disconnected');
      assert.match(stratum.suspendedReason ?? '', /\S/);
      t.diagnostic(`journal failure → miner disconnected: ${(closedAt - suspended[0]!.at).toFixed(1)} ms`);

      const refused = await TestStratumClient.open(port);
      refused.raw('{"id":1,"method":"mining.subscribe","params":[]}\n');
      await refused.whenClosed();
      assert.equal(refused.messages.length, 0, 'no miner is taken while the journal is failed');

      disk.free();
      await until(() => stratum.suspendedReason === null, 10_000, 'the journal to write again');
      const back = await connect();
      const reply = await back.client.send('mining.submit', [
        LOGIN,
        back.jobId,
        '',
        '',
        nonceFor(back.extranonce1, 1),
      ]);
      assert.equal(reply.result, true, 'mining again once the disk has room');
      assert.ok(await sink.drain(10_000));
      const { rows } = await db.query<{ n: string }>('SELECT count(*)::text AS n FROM shares');
      assert.equal(
        Number(rows[0]!.n),
        2 + acked,
        'every acknowledged share is in the database, and only those',
      );
      back.client.close();
    } finally {
      await stratum.stop();
      await verifier.close();
      await sink.close();
      await db.close();
    }
  });
});
