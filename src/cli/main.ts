import { API_USAGE, apiCommand } from './api.ts';
import { CONFIG_USAGE, configCommand } from './config-command.ts';
import { DEVNET_USAGE, devnetCommand } from './devnet.ts';
import { EXIT_USAGE, UsageError } from './errors.ts';
import { LOADGEN_USAGE, loadgenCommand } from './loadgen.ts';
import { MIGRATE_USAGE, migrateCommand } from './migrate.ts';
import { MINER_USAGE, minerCommand } from './miner.ts';
import { POW_USAGE, powCommand } from './pow.ts';
import { START_USAGE, startCommand } from './start.ts';

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

/** The CLI: returns the process exit code (0 ok, 1 failure, 2 bad input). */
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
        await startCommand(rest);
        return 0;
      case 'api':
        await apiCommand(rest);
        return 0;
      case 'config':
        configCommand(rest, out);
        return 0;
      case 'migrate':
        return await migrateCommand(rest, out);
      case 'pow':
        await powCommand(rest, out);
        return 0;
      case 'devnet':
        await devnetCommand(rest, out);
        return 0;
      case 'miner':
        await minerCommand(rest);
        return 0;
      case 'loadgen':
        await loadgenCommand(rest, out);
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
