import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { configSchema, type PoolConfig } from './schema.ts';
import {
  canonicalKey,
  childNode,
  coerceEnvValue,
  configJsonSchema,
  EnvValueError,
  type JsonSchemaNode,
} from './schema-paths.ts';

/** A configuration problem; the message names the key (e.g. `stratum.ports.0.port`). */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const ENV_PREFIX = 'ENIGMAPOOL_';

/**
 * The effective configuration: the file (YAML or JSON), then environment overrides
 * (`ENIGMAPOOL_STRATUM__EXTRANONCE1SIZE=3`, `ENIGMAPOOL_NODES__0__APIKEY=…`; `__` separates keys, each
 * value is read as the type the schema expects at its key), then explicit overrides from the command
 * line; validated by the schema.
 */
export function loadConfig(
  options: {
    file?: string;
    env?: NodeJS.ProcessEnv;
    overrides?: Record<string, unknown>;
    /** Values used only where neither the file nor the environment set the key (e.g. the devnet demo's). */
    fallbacks?: Record<string, unknown>;
  } = {},
): PoolConfig {
  let raw: Record<string, unknown> = {};
  if (options.file) {
    let text: string;
    try {
      text = readFileSync(options.file, 'utf8');
    } catch (err) {
      throw new ConfigError(
        `cannot read config file ${options.file}: ${(err as NodeJS.ErrnoException).code ?? err}`,
      );
    }
    try {
      raw = (parseYaml(text) as Record<string, unknown> | null) ?? {};
    } catch (err) {
      throw new ConfigError(
        `config file ${options.file} is not valid YAML/JSON: ${(err as Error).message.split('\n')[0]}`,
      );
    }
    if (typeof raw !== 'object' || Array.isArray(raw))
      throw new ConfigError(`config file ${options.file} must hold a mapping`);
  }
  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (!name.startsWith(ENV_PREFIX) || value === undefined) continue;
    const path = name
      .slice(ENV_PREFIX.length)
      .split('__')
      .map((p) => p.toLowerCase());
    setPath(raw, path, name, (schema, key) => {
      try {
        return coerceEnvValue(schema, value, key, name);
      } catch (err) {
        if (err instanceof EnvValueError) throw new ConfigError(err.message);
        throw err;
      }
    });
  }
  for (const [path, value] of Object.entries(options.fallbacks ?? {})) {
    if (!hasPath(raw, path.split('.'))) setPath(raw, path.split('.'), path, () => value);
  }
  for (const [path, value] of Object.entries(options.overrides ?? {})) {
    if (value !== undefined) setPath(raw, path.split('.'), path, () => value);
  }
  return validate(raw);
}

export function validate(raw: unknown): PoolConfig {
  const result = configSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(describeIssues(result.error.issues));
  return result.data;
}

function describeIssues(issues: z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => {
      const key = issue.path.join('.') || '(top level)';
      if (issue.code === 'unrecognized_keys')
        return `${key === '(top level)' ? '' : `${key}.`}${issue.keys.join(', ')}: unknown key`;
      return `${key}: ${issue.message}`;
    })
    .join('; ');
}

/**
 * Sets a nested key; env names are upper case, so each part is matched to the schema's own spelling.
 * `value` gets the schema node at the key and its dotted name (env values are typed by it).
 */
function setPath(
  target: Record<string, unknown>,
  path: string[],
  source: string,
  value: (schema: JsonSchemaNode | undefined, key: string) => unknown,
): void {
  let node: Record<string, unknown> | unknown[] = target;
  let schema: JsonSchemaNode | undefined = configJsonSchema();
  const keys: string[] = [];
  for (let i = 0; i < path.length; i++) {
    const wanted = path[i]!;
    const key = Array.isArray(node) ? wanted : canonicalKey(schema, wanted, Object.keys(node));
    keys.push(key);
    schema = childNode(schema, key);
    if (i === path.length - 1) {
      (node as Record<string, unknown>)[key] = value(schema, keys.join('.'));
      return;
    }
    const next = (node as Record<string, unknown>)[key];
    if (next === undefined || next === null) {
      const child = /^\d+$/.test(path[i + 1]!) ? [] : {};
      (node as Record<string, unknown>)[key] = child;
      node = child;
    } else if (typeof next === 'object') node = next as Record<string, unknown>;
    else throw new ConfigError(`${source}: ${keys.join('.')} is not a section`);
  }
}

function hasPath(target: Record<string, unknown>, path: string[]): boolean {
  let node: unknown = target;
  for (const part of path) {
    if (!node || typeof node !== 'object') return false;
    const key = Object.keys(node).find((k) => k.toLowerCase() === part.toLowerCase());
    if (key === undefined) return false;
    node = (node as Record<string, unknown>)[key];
  }
  return node !== undefined;
}

const SECRET_KEYS = /apikey|password|pass|secret|token|authorization/i;

/** The config as YAML-ready data with secrets masked (for `enigmapool config --print`). */
export function maskSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskSecrets);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        SECRET_KEYS.test(k) && typeof v === 'string' ? '********' : maskSecrets(v),
      ]),
    );
  }
  if (typeof value === 'string') return maskUrlSecrets(value);
  return value;
}

/** Passwords in URLs (postgres://u:p@…, redis://:p@…) and the tokens in Discord and Telegram webhook URLs. */
function maskUrlSecrets(text: string): string {
  return text
    .replace(/^([a-z][a-z0-9+.-]*:\/\/)([^:@/]*):[^@/]+@/i, '$1$2:********@')
    .replace(/(\/api\/webhooks\/\d+\/)[^/?#]+/, '$1********')
    .replace(/(api\.telegram\.org\/bot)[^/]+/, '$1********');
}
