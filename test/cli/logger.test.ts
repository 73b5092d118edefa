import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const dir = mkdtempSync(join(tmpdir(), 'enigmapool-logger-'));
const fixture = new URL('../fixtures/cli/log-then-die.ts', import.meta.url).pathname;

/** Runs the fixture with stderr in a file, as `enigmapool … 2> pool.log` would. */
async function logThenDie(
  which: string,
  level: string,
): Promise<{ signal: NodeJS.Signals | null; log: string }> {
  const file = join(dir, `${which}-${level}.log`);
  const fd = openSync(file, 'w');
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, which, level], {
    stdio: ['ignore', 'ignore', fd],
  });
  closeSync(fd);
  const signal = await new Promise<NodeJS.Signals | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (_code, sig) => resolve(sig));
  });
  return { signal, log: readFileSync(file, 'utf8') };
}

describe('logs survive kill -9', () => {
  // json: `start` and `api` off a terminal; pretty: on one; miner: `enigmapool miner`
  for (const which of ['json', 'pretty', 'miner'])
    for (const level of ['error', 'fatal'])
      it(`${which}: a ${level} line is in the file when the process is SIGKILLed right after it`, async () => {
        const { signal, log } = await logThenDie(which, level);
        assert.equal(signal, 'SIGKILL');
        assert.match(log, /the line that explains the crash/);
      });
});
