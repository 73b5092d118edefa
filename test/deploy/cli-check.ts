import { parseArgs } from 'node:util';
import { buildConfig } from '../../src/cli/start.ts';
import { API_USAGE, START_USAGE } from '../../src/cli/usage.ts';
import { loadConfig, type PoolConfig } from '../../src/config/index.ts';

/** The flags a command's usage text documents: `[--name VALUE]` takes a value, `[--name]` does not. */
function documentedOptions(usage: string): Record<string, { type: 'string' | 'boolean' }> {
  const options: Record<string, { type: 'string' | 'boolean' }> = {};
  for (const m of usage.matchAll(/\[--([a-z-]+)( [^\]]+)?\]/g))
    options[m[1]!] = { type: m[2] ? 'string' : 'boolean' };
  return options;
}

/**
 * What a deployment file's command line (`start …` or `api …`) and environment make of the pool's
 * configuration, through the CLI's own documented flags and config loader: an unknown flag, a bad value
 * or an unknown ENIGMAPOOL_* key throws. `files` maps the paths the deployment mounts (`--config
 * /etc/enigmapool/pool.yaml`) to the repository's example files.
 */
export function effectiveConfig(
  argv: string[],
  env: Record<string, string>,
  files: Record<string, string> = {},
): PoolConfig {
  const [command, ...args] = argv;
  const usage = command === 'start' ? START_USAGE : command === 'api' ? API_USAGE : null;
  if (!usage) throw new Error(`not a pool command: ${argv.join(' ')}`);
  const { values } = parseArgs({
    args,
    options: documentedOptions(usage),
    strict: true,
    allowPositionals: false,
  });
  if (typeof values.config === 'string') {
    const local = files[values.config];
    if (!local) throw new Error(`--config ${values.config}: no example file for it`);
    values.config = local;
  }
  const unknownEnv = Object.keys(env).filter((k) => !k.startsWith('ENIGMAPOOL_'));
  if (unknownEnv.length) throw new Error(`not pool settings: ${unknownEnv.join(', ')}`);
  const saved = { ...process.env };
  try {
    // buildConfig reads process.env, as the real command does.
    for (const k of Object.keys(process.env)) if (k.startsWith('ENIGMAPOOL_')) delete process.env[k];
    Object.assign(process.env, env);
    if (command === 'start') return buildConfig(values);
    const overrides: Record<string, unknown> = {};
    if (values.database !== undefined) overrides['database.url'] = values.database;
    if (values.redis !== undefined) overrides['redis.url'] = values.redis;
    if (values['api-port'] !== undefined) overrides['api.port'] = Number(values['api-port']);
    return loadConfig({ ...(values.config ? { file: values.config as string } : {}), env, overrides });
  } finally {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}

/** Splits a unit's ExecStart (no quoting needed in ours) into words. */
export function words(line: string): string[] {
  return line.trim().split(/\s+/);
}
