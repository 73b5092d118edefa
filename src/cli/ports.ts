import { createServer } from 'node:net';
import { defaultPoolId, type PoolConfig } from '../config/index.ts';
import { UsageError } from './errors.ts';

/** A port the pool will listen on, and what the operator calls it (the option they gave, or the config key). */
export interface Listener {
  name: string;
  host: string;
  port: number;
}

/** Every port `start` listens on in its role; `flags` names the ones a command-line option set. */
export function poolListeners(config: PoolConfig, flags: Partial<Record<string, unknown>>): Listener[] {
  const named = (flag: string, key: string) => (flags[flag] !== undefined ? `--${flag}` : key);
  const listeners: Listener[] = [];
  if (config.role === 'all' || config.role === 'stratum') {
    const main = defaultPoolId(config);
    const ports = config.pools
      ? config.pools.flatMap((pool, i) =>
          pool.ports.map((p, j) => ({
            key: `pools.${i}.ports.${j}.port`,
            first: pool.id === main && j === 0,
            p,
          })),
        )
      : config.stratum.ports.map((p, j) => ({ key: `stratum.ports.${j}.port`, first: j === 0, p }));
    listeners.push(
      ...ports.map(({ key, first, p }) => ({
        name: first ? named('stratum-port', key) : key,
        host: p.host,
        port: p.port,
      })),
    );
  }
  if (config.role === 'all' && config.devnet.enabled)
    listeners.push({
      name: named('devnet-port', 'devnet.port'),
      host: '127.0.0.1',
      port: config.devnet.port,
    });
  if ((config.role === 'all' || config.role === 'api') && config.api.enabled)
    listeners.push({ name: named('api-port', 'api.port'), host: config.api.host, port: config.api.port });
  const metrics = config.api.metrics;
  if (config.role === 'all' && config.api.enabled && metrics.enabled && metrics.port !== undefined)
    listeners.push({ name: 'api.metrics.port', host: config.api.host, port: metrics.port });
  return listeners;
}

/** One line for a failed listen, naming the option or key (EADDRINUSE and its like, or undefined). */
export function describeListenError(listener: Listener, err: NodeJS.ErrnoException): string | undefined {
  const where = `${listener.host}:${listener.port}`;
  if (err.code === 'EADDRINUSE')
    return `${listener.name}: ${where} is already in use (another pool or program listens there)`;
  if (err.code === 'EACCES') return `${listener.name}: ${where} needs privileges (use a port ≥ 1024)`;
  if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND')
    return `${listener.name}: ${listener.host} is not an address of this machine`;
  return undefined;
}

/**
 * Binds and releases each fixed port before anything is opened, so a port in use is one line naming the
 * option, not a stack trace after the database has started. (A program can still take the port in between;
 * the real listen then fails with the same line.)
 */
export async function checkPortsFree(listeners: Listener[]): Promise<void> {
  const wildcard = (host: string) => host === '0.0.0.0' || host === '::';
  const seen: Listener[] = [];
  for (const listener of listeners) {
    if (listener.port === 0) continue;
    const clash = seen.find(
      (s) =>
        s.port === listener.port && (s.host === listener.host || wildcard(s.host) || wildcard(listener.host)),
    );
    if (clash) throw new UsageError(`${listener.name}: port ${listener.port} is also given to ${clash.name}`);
    seen.push(listener);
    await new Promise<void>((resolve, reject) => {
      const probe = createServer();
      probe.once('error', (err: NodeJS.ErrnoException) => {
        const line = describeListenError(listener, err);
        reject(line ? new UsageError(line) : err);
      });
      probe.listen({ host: listener.host, port: listener.port, exclusive: true }, () =>
        probe.close(() => resolve()),
      );
    });
  }
}
