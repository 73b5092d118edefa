import type { Logger } from 'pino';
import type { StratumServer } from '../stratum/index.ts';
import type { RedisLink } from './services.ts';

/**
 * Bans shared by every stratum instance through Redis: a ban one instance decides is stored as a key that
 * expires with it (`<prefix>ban:<address>`, so an instance that starts later loads the bans in force) and
 * published on `<prefix>bans`, where every other instance applies it at once. Redis is only the messenger:
 * while it is down each instance still bans on its own verdicts.
 */
export async function shareBans(o: {
  stratum: StratumServer;
  redis: RedisLink;
  prefix: string;
  /** This process (messages it sent itself are ignored). */
  origin: string;
  logger: Logger;
  now?: () => number;
}): Promise<() => Promise<void>> {
  const now = o.now ?? Date.now;
  const channel = `${o.prefix}bans`;
  const keyOf = (address: string) => `${o.prefix}ban:${address}`;
  const onBanned = ({
    clientAddress,
    until,
    shared,
  }: {
    clientAddress: string;
    until: number;
    shared: boolean;
  }) => {
    if (shared) return;
    const ttl = Math.max(1, Math.round(until - now()));
    const message = JSON.stringify({ origin: o.origin, address: clientAddress, until });
    o.redis.commands
      .multi()
      .set(keyOf(clientAddress), String(until), 'PX', ttl)
      .publish(channel, message)
      .exec()
      .catch((err: Error) => o.logger.warn(`bans: not shared with the other instances (${err.message})`));
  };
  o.stratum.events.on('banned', onBanned);
  const onMessage = (ch: string, text: string) => {
    if (ch !== channel) return;
    try {
      const m = JSON.parse(text) as { origin?: unknown; address?: unknown; until?: unknown };
      if (m.origin === o.origin || typeof m.address !== 'string' || typeof m.until !== 'number') return;
      o.stratum.applySharedBan(m.address, m.until);
    } catch {
      o.logger.warn('bans: a message that is not a ban was ignored');
    }
  };
  o.redis.subscriber.on('message', onMessage);
  // Not awaited: while Redis is down the subscription waits in the client's queue; the pool starts anyway.
  o.redis.subscriber.subscribe(channel).catch((err: Error) => {
    o.logger.warn(`bans: not receiving the other instances' bans until Redis is back (${err.message})`);
  });
  // The bans in force, loaded whenever the commands connection is (again) ready: at start (commands fail
  // at once before that, with no offline queue) and after every outage, when published bans were missed.
  const load = async () => {
    try {
      let cursor = '0';
      let seen = 0;
      do {
        const [next, keys] = await o.redis.commands.scan(cursor, 'MATCH', `${o.prefix}ban:*`, 'COUNT', 1000);
        cursor = next;
        seen += keys.length;
        if (keys.length > 0) {
          const values = await o.redis.commands.mget(...keys);
          keys.forEach((key, k) => {
            const until = Number(values[k]);
            if (Number.isFinite(until)) o.stratum.applySharedBan(key.slice(`${o.prefix}ban:`.length), until);
          });
        }
      } while (cursor !== '0' && seen < 100_000);
    } catch (err) {
      o.logger.warn(`bans: the bans in force could not be loaded (${(err as Error).message})`);
    }
  };
  const onReady = () => void load();
  o.redis.commands.on('ready', onReady);
  if (o.redis.commands.status === 'ready') await load();
  return async () => {
    o.stratum.events.off('banned', onBanned);
    o.redis.commands.off('ready', onReady);
    o.redis.subscriber.off('message', onMessage);
    await o.redis.subscriber.unsubscribe(channel).catch(() => undefined);
  };
}
