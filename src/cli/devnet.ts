import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { type DevnetOptions, startDevnet } from '../devnet/index.ts';
import { integerOption, portOption, positiveNumberOption } from './args.ts';
import { UsageError } from './errors.ts';

/** Human-readable single-line pino output: "2026-01-01T12:00:00.000Z INFO  message". */
export function lineLogger(write: (line: string) => void, level = 'info') {
  const names: Record<number, string> = {
    10: 'TRACE',
    20: 'DEBUG',
    30: 'INFO',
    40: 'WARN',
    50: 'ERROR',
    60: 'FATAL',
  };
  return pino(
    { level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime },
    {
      write(json: string) {
        const entry = JSON.parse(json) as {
          time?: string;
          level: number;
          msg?: string;
          err?: { message?: string };
        };
        const err = entry.err?.message ? `: ${entry.err.message}` : '';
        write(
          `${entry.time ?? ''} ${(names[entry.level] ?? String(entry.level)).padEnd(5)} ${entry.msg ?? ''}${err}`,
        );
      },
    },
  );
}

export function devnetOptions(argv: string[]): DevnetOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      difficulty: { type: 'string' },
      'block-time': { type: 'string' },
      height: { type: 'string' },
      nodes: { type: 'string' },
      'competitor-block-time': { type: 'string' },
      'mempool-interval': { type: 'string' },
      'reward-delay': { type: 'string' },
      network: { type: 'string' },
      'api-key': { type: 'string' },
      state: { type: 'string' },
      'node-keys': { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  const port = values.port === undefined ? 9053 : portOption(values.port, 'port');
  const difficulty = values.difficulty ?? '200000';
  if (!/^\d+$/.test(difficulty.trim()) || BigInt(difficulty.trim()) < 1n)
    throw new UsageError(`--difficulty must be a whole number ≥ 1, got "${values.difficulty}"`);
  const network = values.network ?? 'mainnet';
  if (network !== 'mainnet' && network !== 'testnet')
    throw new UsageError(`--network must be mainnet or testnet, got "${values.network}"`);
  if (values['api-key'] === '') throw new UsageError('--api-key must not be empty');
  if (values.state === '') throw new UsageError('--state needs a file path');
  const nodeKeys = values['node-keys'] ?? 'shared';
  if (nodeKeys !== 'shared' && nodeKeys !== 'own')
    throw new UsageError(`--node-keys must be shared or own, got "${values['node-keys']}"`);
  return {
    host: values.host ?? '127.0.0.1',
    port,
    nodes: integerOption(values.nodes, 'nodes', 1, 1),
    difficulty: BigInt(difficulty.trim()),
    blockTimeSeconds: positiveNumberOption(values['block-time'], 'block-time', 30),
    startHeight:
      values.height === undefined ? undefined : integerOption(values.height, 'height', undefined, 1),
    competitorBlockTimeSeconds:
      values['competitor-block-time'] === undefined
        ? null
        : positiveNumberOption(values['competitor-block-time'], 'competitor-block-time', 1),
    mempoolIntervalMs:
      values['mempool-interval'] === undefined
        ? null
        : positiveNumberOption(values['mempool-interval'], 'mempool-interval', 1),
    rewardDelay: integerOption(values['reward-delay'], 'reward-delay', 720, 1),
    network,
    apiKey: values['api-key'] ?? 'devnet',
    statePath: values.state ?? null,
    nodeKeys,
  };
}

/** `enigmapool devnet`: runs until SIGINT/SIGTERM, then closes cleanly (state saved when --state is set). */
export async function devnetCommand(argv: string[], out: (line: string) => void): Promise<void> {
  const options = devnetOptions(argv);
  const logger = lineLogger(out);
  let devnet: Awaited<ReturnType<typeof startDevnet>>;
  try {
    devnet = await startDevnet({ ...options, logger });
  } catch (err) {
    if (err instanceof RangeError) throw new UsageError(err.message);
    throw err;
  }
  logger.info(`nodes: ${devnet.nodes.map((n) => n.url).join(' ')}`);
  if (options.nodeKeys === 'own')
    for (const [k, n] of devnet.nodes.entries()) logger.info(`node ${k} mines for key ${n.publicKey}`);
  logger.info(
    `pool key ${devnet.minerPublicKey}, wallet ${devnet.walletAddress}, api_key "${options.apiKey}"`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  logger.info('shutting down');
  await devnet.close();
}
