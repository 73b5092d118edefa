import pino, { type Logger } from 'pino';
import { acquireLease, type Database, holdsLease } from '../db/index.ts';
import type { EventBus, PoolEvent, PoolEventType } from './bus.ts';
import type { PoolDescription } from './context.ts';
import { BLOCK_COLUMNS, type BlockRow, type PaymentRow } from './queries.ts';
import { blockJson, paymentJson } from './shapes.ts';
import type { WebhookSender } from './webhooks.ts';

export interface EventNotifierOptions {
  db: Database;
  bus: EventBus;
  webhooks: WebhookSender | null;
  /** The pools whose events it delivers, each described by its own description. */
  pools: readonly PoolDescription[];
  /** This process's name (the lease holder: one instance delivers). */
  holder: string;
  pollMs?: number;
  logger?: Logger;
}

/**
 * Delivers the event outbox (pool_events, written by database triggers in the same transaction as the
 * change) of its pools: each block and payment change once to the bus (websockets) and the webhooks, with
 * its pool's id and described with its pool's name and links, on one instance at a time. A found block
 * reaches the websockets at once from the stratum; here it only feeds webhooks.
 */
export class EventNotifier {
  private readonly logger: Logger;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private stopped = false;
  private failing = false;
  private readonly pools: readonly PoolDescription[];

  constructor(private readonly o: EventNotifierOptions) {
    this.logger = o.logger ?? pino({ level: 'silent' });
    this.pools = o.pools;
    if (this.pools.length === 0) throw new Error('an event notifier needs the pools it delivers for');
  }

  start(): void {
    this.stopped = false;
    const tick = () => {
      if (this.stopped) return;
      this.running = this.runOnce()
        .then(() => {
          if (this.failing) this.logger.info('event notifier: delivering again');
          this.failing = false;
        })
        .catch((err: Error) => {
          if (!this.failing) this.logger.warn({ err }, `event notifier: ${err.message} (retrying)`);
          this.failing = true;
        })
        .finally(() => {
          if (this.stopped) return;
          this.timer = setTimeout(tick, this.o.pollMs ?? 2000);
          this.timer.unref();
        });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** Delivers what is waiting; returns how many events. */
  async runOnce(): Promise<number> {
    const lease = await acquireLease(this.o.db, 'notifier', this.o.holder, 30_000);
    if (!lease) return 0;
    const pools = new Map(this.pools.map((p) => [p.id, p]));
    const ids = [...pools.keys()];
    let total = 0;
    for (;;) {
      const events = await this.o.db.query<{
        id: bigint;
        pool_id: string;
        kind: PoolEventType;
        block_id: bigint | null;
        payment_id: bigint | null;
      }>(
        `SELECT id, pool_id, kind, block_id, payment_id FROM pool_events
          WHERE pool_id = ANY($1::text[]) AND delivered_at IS NULL ORDER BY id LIMIT 200`,
        [ids],
      );
      if (events.rows.length === 0) return total;
      const out: { event: PoolEvent; pool: PoolDescription }[] = [];
      for (const e of events.rows) {
        const pool = pools.get(e.pool_id)!;
        const data =
          e.block_id !== null ? await this.block(e.block_id, pool) : await this.payment(e.payment_id!, pool);
        if (data) out.push({ event: { type: e.kind, pool: pool.id, data }, pool });
      }
      const marked = await this.o.db.transaction(async (tx) => {
        if (!(await holdsLease(tx, lease))) return false;
        await tx.query(
          'UPDATE pool_events SET delivered_at = now() WHERE pool_id = ANY($2::text[]) AND id = ANY($1::bigint[])',
          [events.rows.map((e) => e.id), ids],
        );
        return true;
      });
      if (!marked) return total;
      for (const { event, pool } of out) {
        if (event.type !== 'block.found') this.o.bus.publish(event);
        this.o.webhooks?.send(event, describeEvent(event, pool));
      }
      total += events.rows.length;
    }
  }

  private async block(id: bigint, pool: PoolDescription): Promise<Record<string, unknown> | null> {
    const r = await this.o.db.query<BlockRow>(
      `SELECT ${BLOCK_COLUMNS} FROM blocks WHERE id = $1 AND pool_id = $2`,
      [id, pool.id],
    );
    return r.rows[0] ? blockJson(r.rows[0], pool) : null;
  }

  private async payment(id: bigint, pool: PoolDescription): Promise<Record<string, unknown> | null> {
    const r = await this.o.db.query<PaymentRow>(
      `SELECT p.id, p.tx_id, p.status, p.fee, p.confirmations, p.created_at, p.sent_at, p.confirmed_at,
              coalesce(sum(o.amount), 0) AS amount, count(o.address) AS recipients
         FROM payments p LEFT JOIN payment_outputs o ON o.payment_id = p.id
        WHERE p.id = $1 AND p.pool_id = $2 GROUP BY p.id`,
      [id, pool.id],
    );
    return r.rows[0] ? paymentJson(r.rows[0], pool) : null;
  }
}

const short = (address: unknown) =>
  typeof address === 'string' && address.length > 12
    ? `${address.slice(0, 7)}…${address.slice(-4)}`
    : String(address);

const percent = (effort: unknown) =>
  typeof effort === 'number' ? ` (effort ${Math.round(effort * 100)} %)` : '';

/** One line for a person (chat webhooks, logs), naming the event's pool and counting in its coin. */
export function describeEvent(e: PoolEvent, pool: PoolDescription): string {
  const d = e.data as Record<string, unknown>;
  const name = pool.name;
  const unit = pool.coin.symbol;
  switch (e.type) {
    case 'block.found':
      return `⛏️ ${name}: block ${d.height} found by ${short(d.miner)}${d.worker ? `.${d.worker}` : ''}${percent(d.effort)}`;
    case 'block.confirmed':
      return `✅ ${name}: block ${d.height} confirmed, reward ${d.reward ?? '?'} ${unit}${percent(d.effort)}`;
    case 'block.orphaned':
      return `❌ ${name}: block ${d.height} was orphaned`;
    case 'payment.sent':
      return `💸 ${name}: paid ${d.amount} ${unit} to ${d.recipients} miner(s), transaction ${d.txId}`;
    case 'payment.failed':
      return `⚠️ ${name}: a payment of ${d.amount} ${unit} to ${d.recipients} miner(s) failed`;
    case 'payment.confirmed':
      return `${name}: payment ${d.txId} confirmed`;
    case 'node.down':
      return `⚠️ ${name}: ${pool.coin.name} node ${d.node} is down (${(d.problems as string[] | undefined)?.join(', ') || 'unreachable'})`;
    case 'node.up':
      return `✅ ${name}: ${pool.coin.name} node ${d.node} is back`;
    case 'database.down':
      return `⚠️ ${name}: the database is unreachable; shares are kept in the journal (${d.message ?? ''})`;
    case 'database.up':
      return `✅ ${name}: the database is back; journaled shares are being shipped`;
    case 'height':
      return `${name}: new chain height ${d.height}`;
    default:
      return `${name}: ${e.type}`;
  }
}
