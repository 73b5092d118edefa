import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { SecureContext } from 'node:tls';
import { RefusalTally } from './admission.ts';
import type { PoolContext, StratumContext } from './context.ts';
import { normalizeAddress, readPreamble } from './preamble.ts';
import type { PortConfig } from './types.ts';

/** A connection through the door: its stream (TLS unwrapped), the miner's address, and bytes already read. */
export interface Admitted {
  stream: Duplex | Socket;
  clientAddress: string;
  pool: PoolContext;
  config: PortConfig;
  initial: Buffer;
}

export interface DoorOptions {
  ctx: StratumContext;
  /** Connections held at once, from accept. */
  maxConnections: number;
  /** Why no miner is taken now (the share sink cannot write), or null. */
  refusingAll: () => string | null;
  /** A connection that passed every check. */
  admit: (admitted: Admitted) => void;
}

/**
 * The way in: the global cap and, unless the peer is a configured proxy, its address (bans, per-address cap)
 * before a byte is read; then the preamble (PROXY header, TLS) and the checks again for the address a proxy
 * names. Refusals are counted and logged as one summary line per sweep, not one line each.
 */
export class Door {
  /** Sockets open now, whatever their stage (preamble, subscribed, mining), from accept to close. */
  readonly sockets = new Set<Socket>();
  readonly refusals = new RefusalTally();
  private readonly proxies: Set<string>;

  constructor(private readonly o: DoorOptions) {
    this.proxies = new Set(o.ctx.limits.proxyAddresses.map(normalizeAddress));
  }

  onConnection(socket: Socket, pool: PoolContext, config: PortConfig, tls: SecureContext | null): void {
    const { ctx } = this.o;
    socket.on('error', () => undefined); // errors before the session exists end in close or the preamble
    // Reset before it was accepted (a load balancer's health check does that): no address, nothing to serve.
    if (socket.remoteAddress === undefined) {
      socket.destroy();
      return;
    }
    const peer = normalizeAddress(socket.remoteAddress);
    const proxied = this.proxies.has(peer);
    const refusal =
      this.o.refusingAll() ??
      (this.sockets.size >= this.o.maxConnections
        ? 'server full'
        : proxied
          ? null
          : this.addressRefusal(peer, true));
    if (refusal) {
      this.refuse(socket, peer, refusal);
      return;
    }
    const { addresses } = ctx;
    this.sockets.add(socket);
    if (!proxied) addresses.connected(peer);
    socket.once('close', () => {
      this.sockets.delete(socket);
      if (!proxied) addresses.disconnected(peer, ctx.now());
    });
    this.enter(socket, pool, config, tls, proxied).catch((err: Error) => {
      ctx.logger.error({ err, client: peer }, 'stratum: accepting a connection failed');
      socket.destroy();
    });
  }

  /** Why an address is not taken now (banned, or at its connection cap), or null. */
  addressRefusal(client: string, countConnections: boolean): string | null {
    const { addresses, limits } = this.o.ctx;
    if (addresses.isBanned(client, this.o.ctx.now())) return 'banned';
    if (countConnections && addresses.connectionCount(client) >= limits.maxConnectionsPerAddress)
      return 'too many connections from this address';
    return null;
  }

  private async enter(
    socket: Socket,
    pool: PoolContext,
    config: PortConfig,
    tls: SecureContext | null,
    proxied: boolean,
  ): Promise<void> {
    const { ctx } = this.o;
    socket.setKeepAlive(true, 60_000);
    const { limits, addresses } = ctx;
    const preamble = await readPreamble(socket, {
      trustedProxy: proxied,
      tls,
      detectTls: Boolean(config.tls?.detect),
      timeoutMs: limits.silenceTimeoutMs,
      maxProxyHeaderBytes: limits.maxLineBytes,
    });
    const peer = normalizeAddress(socket.remoteAddress ?? '');
    if (!preamble.ok) {
      if (preamble.healthCheck)
        socket.destroy(); // the proxy checking that we are up: nothing refused
      else this.refuse(socket, peer, preamble.reason);
      return;
    }
    const client = preamble.clientAddress;
    // A proxied client is known only now; anyone may have been banned, or the sink failed, meanwhile.
    const refusal = this.o.refusingAll() ?? this.addressRefusal(client, proxied);
    if (refusal) {
      this.refuse(socket, client, refusal);
      return;
    }
    if (proxied) {
      addresses.connected(client);
      socket.once('close', () => addresses.disconnected(client, ctx.now()));
    }
    this.o.admit({ stream: preamble.stream, clientAddress: client, pool, config, initial: preamble.initial });
  }

  private refuse(socket: Socket, client: string, reason: string): void {
    this.refusals.add(reason, client);
    this.o.ctx.logger.debug({ client, reason }, 'connection refused');
    socket.destroy();
  }
}
