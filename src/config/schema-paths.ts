import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { configSchema } from './schema.ts';

/** The part of a JSON Schema (as `z.toJSONSchema` writes it) needed to walk keys and read types. */
export interface JsonSchemaNode {
  type?: string | string[];
  const?: unknown;
  properties?: Record<string, JsonSchemaNode>;
  items?: JsonSchemaNode;
  additionalProperties?: boolean | JsonSchemaNode;
  anyOf?: JsonSchemaNode[];
  oneOf?: JsonSchemaNode[];
}

let cached: JsonSchemaNode | undefined;

/** The config schema as JSON Schema of its input (before defaults and transforms): zod's public view of it. */
export function configJsonSchema(): JsonSchemaNode {
  cached ??= z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchemaNode;
  return cached;
}

function alternatives(node: JsonSchemaNode | undefined): JsonSchemaNode[] {
  if (!node) return [];
  const options = node.anyOf ?? node.oneOf;
  return options ? options.flatMap(alternatives) : [node];
}

/** The schema's own spelling of a key (env names are upper case), or the key as given. */
export function canonicalKey(node: JsonSchemaNode | undefined, wanted: string, present: string[]): string {
  const lower = wanted.toLowerCase();
  const existing = present.find((k) => k.toLowerCase() === lower);
  if (existing) return existing;
  for (const option of alternatives(node)) {
    const known = Object.keys(option.properties ?? {}).find((k) => k.toLowerCase() === lower);
    if (known) return known;
  }
  return wanted;
}

export function childNode(node: JsonSchemaNode | undefined, key: string): JsonSchemaNode | undefined {
  for (const option of alternatives(node)) {
    if (option.items && /^\d+$/.test(key)) return option.items;
    const child = option.properties?.[key];
    if (child) return child;
    if (typeof option.additionalProperties === 'object') return option.additionalProperties;
  }
  return undefined;
}

function typesOf(node: JsonSchemaNode | undefined): Set<string> {
  const types = new Set<string>();
  for (const option of alternatives(node)) {
    if (option.type === undefined) {
      if (option.const !== undefined) types.add(option.const === null ? 'null' : typeof option.const);
      else types.add('any');
    } else for (const t of [option.type].flat()) types.add(t);
  }
  return types;
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/**
 * An environment value as the type the schema expects at its key: text stays text (`APIKEY=123456`, a
 * name `yes`), numbers and booleans are parsed strictly, lists and sections are read as YAML. `key` and
 * `variable` name the problem when the text is none of the types the key takes.
 */
export function coerceEnvValue(
  node: JsonSchemaNode | undefined,
  text: string,
  key: string,
  variable: string,
): unknown {
  const types = typesOf(node);
  const fail = (what: string): never => {
    throw new EnvValueError(`${key}: ${variable}=${JSON.stringify(text)} is not ${what}`);
  };
  if (types.size === 0 || types.has('any') || types.has('string')) return text;
  const trimmed = text.trim();
  if (types.has('null') && (trimmed === 'null' || trimmed === '~' || trimmed === '')) return null;
  if (types.has('boolean') && /^(true|false)$/i.test(trimmed)) return trimmed.toLowerCase() === 'true';
  if ((types.has('integer') || types.has('number')) && DECIMAL.test(trimmed)) {
    const value = Number(trimmed);
    if (types.has('number') && Number.isFinite(value)) return value;
    if (types.has('integer') && Number.isInteger(value)) return value;
  }
  if (types.has('array') || types.has('object')) {
    let value: unknown;
    try {
      value = parseYaml(text);
    } catch (err) {
      throw new EnvValueError(
        `${key}: ${variable} is not valid YAML (${(err as Error).message.split('\n')[0]})`,
      );
    }
    if (
      Array.isArray(value)
        ? types.has('array')
        : value !== null && typeof value === 'object' && types.has('object')
    )
      return value;
  }
  const names = [
    types.has('boolean') && 'true or false',
    types.has('integer') && !types.has('number') && 'an integer',
    types.has('number') && 'a number',
    types.has('array') && 'a list',
    types.has('object') && 'a section',
  ].filter(Boolean);
  return fail(names.join(', or ') || [...types].join(' or '));
}

/** Thrown by coerceEnvValue; load.ts turns it into a ConfigError. */
export class EnvValueError extends Error {}
