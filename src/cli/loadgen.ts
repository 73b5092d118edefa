import { parseArgs } from 'node:util';
import { loopbackSources, parsePoolUrl, runLoadgen } from '../miner/index.ts';
import { integerOption, jsonLine, positiveNumberOption } from './args.ts';
import { UsageError } from './errors.ts';

export const LOADGEN_USAGE = `  enigmapool loadgen --url stratum+tcp://HOST:PORT --user ADDRESS [--connections N] [--rate R] [--seconds S]
                     [--connect-rate C] [--source-addresses A,B]
      simulated miners over real sockets, each submitting R shares/s for S seconds; prints latency percentiles`;

export async function loadgenCommand(argv: string[], out: (line: string) => void): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      url: { type: 'string' },
      user: { type: 'string' },
      connections: { type: 'string' },
      rate: { type: 'string' },
      seconds: { type: 'string' },
      'connect-rate': { type: 'string' },
      'source-addresses': { type: 'string' },
    },
    strict: true,
  });
  if (values.url === undefined) throw new UsageError('--url is required');
  if (values.user === undefined)
    throw new UsageError('--user is required (a valid address for the pool network)');
  let url: ReturnType<typeof parsePoolUrl>;
  try {
    url = parsePoolUrl(values.url);
  } catch (err) {
    throw new UsageError(`--url: ${(err as Error).message}`);
  }
  if (url.tls) throw new UsageError('--url: loadgen speaks plain TCP only');
  const connections = integerOption(values.connections, 'connections', 1000, 1);
  const seconds = integerOption(values.seconds, 'seconds', 30, 1);
  if (seconds > 3600) throw new UsageError('--seconds must be at most 3600');
  const rate = values.rate === '0' ? 0 : positiveNumberOption(values.rate, 'rate', 1);
  const sources =
    values['source-addresses']
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean) ?? loopbackSources(connections);
  const report = await runLoadgen({
    url,
    user: values.user,
    connections,
    rate,
    seconds,
    connectRate: integerOption(values['connect-rate'], 'connect-rate', 2000, 1),
    sourceAddresses: sources,
    onProgress: (r) =>
      process.stderr.write(
        `loadgen: ${r.authorized}/${r.connections} miners, ${r.submitted} submitted, ${r.accepted} accepted, p99 ${r.latencyMs.p99} ms\n`,
      ),
  });
  out(jsonLine(report));
}
