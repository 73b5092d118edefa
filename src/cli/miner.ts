import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import type { Logger } from 'pino';
import { CpuMiner, parsePoolUrl } from '../miner/index.ts';
import { integerOption } from './args.ts';
import { UsageError } from './errors.ts';
import { createLogger } from './logger.ts';

/**
 * The miner command's log on stderr, written synchronously like the pool's (a pino transport writes from
 * a worker thread, so the line that explains a kill -9 was lost).
 */
export function minerLogger(): Logger {
  return createLogger('info', 'auto', 'miner');
}

export async function minerCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      url: { type: 'string' },
      user: { type: 'string' },
      threads: { type: 'string' },
      pass: { type: 'string' },
    },
    strict: true,
  });
  if (values.url === undefined) throw new UsageError('--url is required (e.g. stratum+tcp://127.0.0.1:3052)');
  if (values.user === undefined) throw new UsageError('--user is required (ADDRESS.worker)');
  try {
    parsePoolUrl(values.url);
  } catch (err) {
    throw new UsageError(`--url: ${(err as Error).message}`);
  }
  const threads = integerOption(values.threads, 'threads', Math.max(1, availableParallelism() - 1), 1);
  const logger = minerLogger();
  const miner = new CpuMiner({
    url: values.url,
    user: values.user,
    password: values.pass ?? 'x',
    threads,
    logger,
    reportIntervalMs: 10_000,
  });
  miner.on('accepted', () =>
    logger.info({ accepted: miner.stats.accepted, rejected: miner.stats.rejected }, 'share accepted'),
  );
  await miner.start();
  logger.info({ url: values.url, user: values.user, threads }, 'mining');
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await miner.stop();
}
