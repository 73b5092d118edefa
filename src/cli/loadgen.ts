import { parseArgs } from 'node:util';
import { loopbackSources, parsePoolUrl, runLoadgen, VALID_MODE_DIFFICULTY } from '../miner/index.ts';
import { integerOption, jsonLine, positiveNumberOption } from './args.ts';
import { UsageError } from './errors.ts';

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
      mode: { type: 'string' },
      difficulty: { type: 'string' },
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
  const mode = values.mode ?? 'random';
  if (mode !== 'random' && mode !== 'valid') throw new UsageError('--mode must be random or valid');
  if (values.difficulty !== undefined && mode !== 'valid')
    throw new UsageError('--difficulty applies to --mode valid only');
  if (values.difficulty !== undefined && !/^\d*\.?\d+(e-?\d+)?$/i.test(values.difficulty))
    throw new UsageError(`--difficulty must be a positive decimal, got "${values.difficulty}"`);
  process.stderr.write(
    mode === 'random'
      ? 'loadgen: random nonces: the pool rejects nearly all of them as low difficulty (23), by design; from an address not exempt from bans (stratum.limits.ban.exempt, loopback by default) they get it banned. --mode valid mines real shares.\n'
      : `loadgen: valid shares: each nonce's hit is computed here and only shares under the pool's target are sent (d=${values.difficulty ?? VALID_MODE_DIFFICULTY})\n`,
  );
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
    mode,
    ...(values.difficulty ? { difficulty: values.difficulty } : {}),
    onNotice: (line) => process.stderr.write(`loadgen: ${line}\n`),
    onProgress: (r) =>
      process.stderr.write(
        `loadgen: ${r.authorized}/${r.connections} miners, ${r.submitted} submitted (${r.sharesPerSecond}/s), ${r.accepted} accepted (${r.acceptedPerSecond}/s), ${r.busy} busy\n`,
      ),
  });
  out(jsonLine(report));
}
