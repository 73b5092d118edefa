/** Configuration: one YAML/JSON file plus environment overrides, validated at start. */
export { ConfigError, loadConfig, maskSecrets, validate } from './load.ts';
export { defaultPoolId, poolsOf, type ResolvedPool } from './pools.ts';
export {
  configSchema,
  type PoolConfig,
  type PoolEntryConfig,
  type StratumPortConfig,
  type WebhookConfig,
} from './schema.ts';
