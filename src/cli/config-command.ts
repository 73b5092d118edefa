import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { ConfigError, loadConfig, maskSecrets } from '../config/index.ts';
import { UsageError } from './errors.ts';

export function configCommand(argv: string[], out: (line: string) => void): void {
  const { values } = parseArgs({
    args: argv,
    options: { print: { type: 'boolean' }, config: { type: 'string' } },
    strict: true,
  });
  if (!values.print) throw new UsageError('config needs --print');
  try {
    const config = loadConfig({ ...(values.config ? { file: values.config } : {}), env: process.env });
    out(stringify(maskSecrets(config)).trimEnd());
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message);
    throw err;
  }
}
