import { EXIT_USAGE, UsageError } from './errors.ts';
import {
  API_USAGE,
  CONFIG_USAGE,
  DEVNET_USAGE,
  LOADGEN_USAGE,
  MIGRATE_USAGE,
  MINER_USAGE,
  POW_USAGE,
  START_USAGE,
} from './usage.ts';

const USAGE = `EnigmaPool — an Ergo mining pool

Usage: enigmapool <command> [options]

Commands:
  start     run the pool (with --devnet: everything in one process on a simulated Ergo network)
  api       the HTTP API and website alone (scale-out behind a load balancer)
  config    print the effective configuration
  migrate   apply the database migrations
  pow       check Autolykos v2 solutions and headers, or benchmark share checks
  miner     a CPU miner for a stratum pool
  loadgen   many simulated miners for load tests
  devnet    a simulated Ergo network (node REST API) for pool development and tests

${START_USAGE}
${API_USAGE}
${CONFIG_USAGE}
${MIGRATE_USAGE}
${POW_USAGE}
${MINER_USAGE}
${LOADGEN_USAGE}
${DEVNET_USAGE}`;

const COMMAND_USAGE: Record<string, string> = {
  start: START_USAGE,
  api: API_USAGE,
  config: CONFIG_USAGE,
  migrate: MIGRATE_USAGE,
  pow: POW_USAGE,
  miner: MINER_USAGE,
  loadgen: LOADGEN_USAGE,
  devnet: DEVNET_USAGE,
};

/**
 * The CLI: returns the process exit code (0 ok, 1 failure, 2 bad input). Each command's module is imported
 * only when it runs, so help and usage errors start in a fraction of the time the pool's dependencies take.
 */
export async function main(
  argv: string[],
  out: (line: string) => void = (l) => console.log(l),
): Promise<number> {
  const [command, ...rest] = argv;
  // `COMMAND --help` anywhere among the options: that command's usage, before any option is checked.
  const usage = command === undefined ? undefined : COMMAND_USAGE[command];
  if (usage && (rest.includes('--help') || rest.includes('-h'))) {
    out(usage.startsWith('Usage:') ? usage : `Usage:\n${usage}`);
    return 0;
  }
  try {
    switch (command) {
      case 'start':
        await (await import('./start.ts')).startCommand(rest);
        return 0;
      case 'api':
        await (await import('./api.ts')).apiCommand(rest);
        return 0;
      case 'config':
        (await import('./config-command.ts')).configCommand(rest, out);
        return 0;
      case 'migrate':
        return await (await import('./migrate.ts')).migrateCommand(rest, out);
      case 'pow':
        await (await import('./pow.ts')).powCommand(rest, out);
        return 0;
      case 'devnet':
        await (await import('./devnet.ts')).devnetCommand(rest, out);
        return 0;
      case 'miner':
        await (await import('./miner.ts')).minerCommand(rest);
        return 0;
      case 'loadgen':
        await (await import('./loadgen.ts')).loadgenCommand(rest, out);
        return 0;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        out(USAGE);
        return command === undefined ? EXIT_USAGE : 0;
      default:
        throw new UsageError(`unknown command "${command}" (try: enigmapool help)`);
    }
  } catch (err) {
    if (err instanceof UsageError || (err as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`enigmapool: ${(err as Error).message.split('\n').join('\n  ')}`);
      return EXIT_USAGE;
    }
    console.error(`enigmapool: ${(err as Error).stack ?? err}`);
    return 1;
  }
}
