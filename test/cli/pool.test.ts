import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { startPool } from '../../src/cli/pool.ts';
import { configSchema } from '../../src/config/index.ts';
import { MemoryShareSink } from '../../src/stratum/index.ts';
import { captureLogs } from '../helpers/log-capture.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const devnetConfig = () =>
  configSchema.parse({
    devnet: { enabled: true, port: 0 },
    stratum: { ports: [{ port: 0, host: '127.0.0.1' }] },
  });

describe('startPool close (issue 11.13)', () => {
  it('closes each part once, last opened first, however often close() is called', async () => {
    const { logger, lines } = captureLogs('info');
    const pool = await startPool(devnetConfig(), logger, new MemoryShareSink());
    await pool.close();
    await pool.close();
    const steps = lines.map((l) => l.msg).filter((m) => /^stratum: stopped/.test(m));
    assert.equal(steps.length, 1, 'the stratum stopped once');
    assert.equal(lines.filter((l) => l.msg === 'shutdown step failed').length, 0);
  });

  it('leaves nothing behind that keeps the pool alive: the summary interval is cleared', async () => {
    const { logger } = captureLogs('info');
    let pool: Awaited<ReturnType<typeof startPool>> | null = await startPool(
      devnetConfig(),
      logger,
      new MemoryShareSink(),
    );
    const stratum = new WeakRef(pool.stratum);
    await pool.close();
    pool = null;
    // A WeakRef's target survives the job that created or read it: collect in later turns, read once after.
    for (let k = 0; k < 5; k++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      gc();
    }
    assert.equal(stratum.deref(), undefined, 'the stopped stratum server was garbage-collected');
  });
});
