import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { ErgoTransaction } from '../ergo/index.ts';
import type { BlockTemplate } from './blocks.ts';
import type { Simulation } from './simulation.ts';
import type { TimerSet } from './timers.ts';
import { type DevnetFault, type DevnetNode, FAULT_MODES } from './types.ts';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

const DEFAULT_BEHIND = 10;
/** How long close() lets requests in flight finish before it cuts their connections. */
const CLOSE_GRACE_MS = 1_000;

/** What an out-of-sync node has: full blocks up to fullHeight, and a candidate frozen on that block. */
export interface Lagging {
  fullHeight: number;
  template: BlockTemplate;
}

/** Validates a fault from JSON or code; throws a RangeError naming the bad field. */
export function parseFault(value: unknown): DevnetFault {
  if (typeof value !== 'object' || value === null)
    throw new RangeError('fault must be an object with a mode');
  const v = value as Record<string, unknown>;
  const mode = v.mode;
  if (typeof mode !== 'string' || !(FAULT_MODES as readonly string[]).includes(mode))
    throw new RangeError(`fault mode must be one of ${FAULT_MODES.join(', ')}, got ${String(mode)}`);
  if (mode === 'slow') {
    const delayMs = v.delayMs;
    if (typeof delayMs !== 'number' || !Number.isFinite(delayMs) || delayMs < 0)
      throw new RangeError('slow fault needs delayMs ≥ 0');
    return { mode, delayMs };
  }
  if (mode === 'out-of-sync') {
    const behind = v.behind ?? DEFAULT_BEHIND;
    if (typeof behind !== 'number' || !Number.isSafeInteger(behind) || behind < 1)
      throw new RangeError('out-of-sync behind must be a whole number ≥ 1');
    return { mode, behind };
  }
  return { mode } as DevnetFault;
}

/**
 * One node endpoint: its own listening socket (closed for real while 'down', re-opened on the same port)
 * and its own fault state. Requests reach the shared HTTP handler through `beforeRequest`, which applies
 * 'stalled' and 'slow'; /devnet/* admin routes are exempt so a harness can always clear a fault.
 */
export class NodeEndpoint implements DevnetNode {
  fault: DevnetFault = { mode: 'none' };
  lagging: Lagging | null = null;
  /** Mempool transactions this node has dropped while the rest of the network still holds them. */
  readonly forgotten = new Set<string>();
  private server: Server | null = null;
  private handler: RequestHandler | null = null;
  private readonly held = new Set<{ socket: Socket; reject: (err: Error) => void }>();
  private boundPort: number;

  constructor(
    readonly index: number,
    private readonly host: string,
    port: number,
    private readonly sim: Simulation,
    private readonly timers: TimerSet,
    /** The mining key this node's candidates pay (the shared pool key, or the node's own). */
    readonly publicKey: string,
  ) {
    this.boundPort = port;
  }

  get port(): number {
    return this.boundPort;
  }

  get url(): string {
    const host = this.host.includes(':') ? `[${this.host}]` : this.host;
    return `http://${host}:${this.boundPort}`;
  }

  attach(handler: RequestHandler): void {
    this.handler = handler;
  }

  /** Starts listening (on the port bound first, after a 'down'). */
  async listen(): Promise<void> {
    if (this.server) return;
    const handler = this.handler;
    if (!handler) throw new Error('endpoint has no handler');
    const server = createServer((req, res) => handler(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.boundPort, this.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    if (address && typeof address === 'object') this.boundPort = address.port;
    this.server = server;
  }

  /** Stops listening and cuts every open connection (clients then get ECONNREFUSED / reset). */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    this.dropHeld();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  async setFault(fault: DevnetFault): Promise<void> {
    const next = parseFault(fault);
    const before = this.fault.mode;
    this.fault = next;
    if (before === 'stalled' && next.mode !== 'stalled') this.dropHeld();
    this.lagging = next.mode === 'out-of-sync' ? this.freeze(next.behind ?? DEFAULT_BEHIND) : null;
    if (next.mode === 'down') await this.stop();
    else await this.listen();
  }

  /** Full height this node reports (lagging while out of sync). */
  fullHeight(): number {
    return this.lagging ? Math.min(this.lagging.fullHeight, this.sim.chain.height) : this.sim.chain.height;
  }

  /** The mempool as this node sees it (without what it forgot). */
  mempool(): ErgoTransaction[] {
    return this.forgotten.size === 0
      ? this.sim.mempool
      : this.sim.mempool.filter((t) => !this.forgotten.has(t.id));
  }

  /** The candidate this node hands out. */
  candidate(): BlockTemplate {
    return this.lagging?.template ?? this.sim.candidateFor(this.publicKey);
  }

  /** The candidates this node takes solutions for (the node: current, then previous). */
  templates(): readonly (BlockTemplate | null)[] {
    return this.lagging ? [this.lagging.template] : this.sim.templatesFor(this.publicKey);
  }

  /** Applies 'stalled' (never answers; dropped when cleared) and 'slow' before a request is handled. */
  async beforeRequest(url: string, socket: Socket): Promise<void> {
    if (url.startsWith('/devnet/')) return;
    if (this.fault.mode === 'stalled') {
      await new Promise<void>((_resolve, reject) => this.held.add({ socket, reject }));
    }
    if (this.fault.mode === 'slow' && this.fault.delayMs > 0) await this.timers.sleep(this.fault.delayMs);
  }

  private freeze(behind: number): Lagging {
    const chain = this.sim.chain;
    const fullHeight = Math.max(chain.lowest, chain.height - behind);
    const parent = chain.bestAt(fullHeight)!;
    return { fullHeight, template: this.sim.templateOn(parent, this.publicKey, true, []) };
  }

  private dropHeld(): void {
    for (const h of this.held) {
      h.socket.destroy();
      h.reject(new Error('request dropped'));
    }
    this.held.clear();
  }

  /**
   * Closes for good: held ('stalled') requests are cut, requests being answered (a longpoll that close woke)
   * are answered, and whatever is still open after CLOSE_GRACE_MS is cut.
   */
  async close(): Promise<void> {
    this.dropHeld();
    const server = this.server;
    if (!server) return;
    this.server = null;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // A keep-alive connection turns idle once its answer is out: close those as they come.
    const sweep = setInterval(() => server.closeIdleConnections(), 10);
    const cut = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
    server.closeIdleConnections();
    await closed;
    clearInterval(sweep);
    clearTimeout(cut);
  }
}
