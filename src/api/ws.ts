import type {} from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import { type PoolEvent, poolOfEvent } from './bus.ts';
import { type ApiContext, defaultPool } from './context.ts';
import { link } from './format.ts';

/** A client whose unsent messages pass this is not reading: it is closed rather than hold memory. */
const MAX_BUFFERED = 1 << 20;

export interface WebsocketLimits {
  /** Open websockets at most (both paths); beyond, a new one is closed with 1013 (try again later). */
  maxClients: number;
}

/**
 * Two live feeds over the event bus: our own `/api/v1/ws` (the events as the API shapes them) and
 * miningcore's `/notifications` (its message types and fields, for dashboards written for it).
 */
export function registerWebsockets(app: FastifyInstance, ctx: ApiContext, limits: WebsocketLimits): void {
  const clients = new Set<WebSocket>();
  const send = (socket: WebSocket, message: unknown) => {
    if (socket.readyState !== socket.OPEN) return;
    if (socket.bufferedAmount > MAX_BUFFERED) {
      socket.close(1008, 'not reading');
      return;
    }
    socket.send(JSON.stringify(message));
  };
  const open = (socket: WebSocket, greeting: unknown, map: (e: PoolEvent) => unknown[]) => {
    if (clients.size >= limits.maxClients) {
      socket.close(1013, 'too many clients');
      return;
    }
    clients.add(socket);
    const unsubscribe = ctx.bus.subscribe((event) => {
      for (const message of map(event)) send(socket, message);
    });
    socket.on('close', () => {
      clients.delete(socket);
      unsubscribe();
    });
    socket.on('error', () => socket.terminate());
    // Clients only listen; anything they send is ignored (and bounded by the ws maxPayload).
    send(socket, greeting);
  };

  const first = defaultPool(ctx).pool;
  app.get('/api/v1/ws', { websocket: true, schema: { hide: true } }, (socket) =>
    open(socket, { type: 'hello', data: { pool: first.id, pools: ctx.pools.map((p) => p.pool.id) } }, (e) => [
      { type: e.type, pool: poolOfEvent(e, first.id), data: e.data },
    ]),
  );

  app.get('/notifications', { websocket: true, schema: { hide: true } }, (socket) =>
    open(socket, { type: 'greeting', message: `Connected to ${first.name}` }, (e) =>
      miningcoreMessages(e, ctx),
    ),
  );
}

/** The fields of our event payloads that miningcore's messages carry. */
interface EventData {
  height?: number;
  miner?: string;
  worker?: string;
  status?: string;
  headerId?: string | null;
  confirmationProgress?: number;
  effort?: number | null;
  reward?: string | null;
  fee?: string | null;
  txId?: string | null;
  recipients?: number;
  amount?: string;
  links?: { block?: string | null; transaction?: string | null };
  pool?: { hashrate?: { current?: number } };
}

/**
 * Our events in miningcore's notification shapes, with their pool's id and coin (none for the events it has
 * no type for, nor for a pool this API does not serve).
 */
export function miningcoreMessages(e: PoolEvent, ctx: ApiContext): unknown[] {
  const id = poolOfEvent(e, defaultPool(ctx).pool.id);
  const pool = ctx.pools.find((p) => p.pool.id === id)?.pool;
  if (!pool) return [];
  const base = { poolId: pool.id, symbol: pool.coin.symbol, name: pool.coin.name };
  const d = e.data as EventData;
  const minerLink = (address: unknown) =>
    typeof address === 'string' ? link(pool.explorer.address, { address }) : null;
  switch (e.type) {
    case 'block.found':
      return [
        {
          type: 'blockfound',
          ...base,
          blockHeight: d.height,
          miner: d.miner,
          minerExplorerLink: minerLink(d.miner),
          source: d.worker ?? '',
        },
      ];
    case 'height':
      return [{ type: 'newchainheight', ...base, blockHeight: d.height }];
    case 'block.progress':
      return [
        {
          type: 'blockunlockprogress',
          ...base,
          blockHeight: d.height,
          blockType: 'block',
          progress: d.confirmationProgress,
          effort: d.effort,
          miner: d.miner,
          minerExplorerLink: minerLink(d.miner),
        },
      ];
    case 'block.confirmed':
    case 'block.orphaned':
      return [
        {
          type: 'blockunlocked',
          ...base,
          blockHeight: d.height,
          status: d.status,
          blockType: 'block',
          blockHash: d.headerId,
          reward: d.reward === null ? 0 : Number(d.reward),
          effort: d.effort,
          miner: d.miner,
          explorerLink: d.links?.block ?? null,
          minerExplorerLink: minerLink(d.miner),
        },
      ];
    case 'payment.sent':
    case 'payment.failed':
      return [
        {
          type: 'payment',
          ...base,
          txFee: d.fee === null ? 0 : Number(d.fee),
          txIds: d.txId ? [d.txId] : [],
          txExplorerLinks: d.links?.transaction ? [d.links.transaction] : [],
          recipientsCount: d.recipients,
          amount: Number(d.amount),
          error: e.type === 'payment.failed' ? 'payment failed' : null,
        },
      ];
    case 'stats':
      return [
        {
          type: 'hashrateupdated',
          poolId: pool.id,
          hashrate: d.pool?.hashrate?.current ?? 0,
          miner: null,
          worker: null,
        },
      ];
    default:
      return [];
  }
}
