import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { type SecureContext, TLSSocket } from 'node:tls';
import { parseProxyHeader } from './proxy-protocol.ts';

/** What comes out of a connection's first bytes: the stream to speak stratum on and the real client address. */
export type Preamble =
  | { ok: true; stream: Duplex | Socket; clientAddress: string; initial: Buffer; tls: boolean }
  | { ok: false; reason: string; healthCheck?: boolean };

export interface PreambleOptions {
  /** The socket's peer may send a PROXY header (it is one of the configured proxies). */
  trustedProxy: boolean;
  /** TLS context when the port serves TLS. */
  tls: SecureContext | null;
  /** Serve TLS and plain text on one port, by the first byte (0x16 = TLS handshake). */
  detectTls: boolean;
  timeoutMs: number;
  /** A PROXY header still incomplete after this many bytes is refused (the stratum lines after it are not limited here). */
  maxProxyHeaderBytes: number;
}

/**
 * Reads a connection's first bytes: an optional PROXY v1/v2 header (only from a trusted proxy; from anyone
 * else it is a spoofing attempt and refused), then TLS or plain text.
 */
export function readPreamble(socket: Socket, options: PreambleOptions): Promise<Preamble> {
  return new Promise((resolve) => {
    let buffer: Buffer = Buffer.alloc(0);
    let clientAddress = normalizeAddress(socket.remoteAddress ?? '');
    let proxyDone = false;
    /** A PROXY v2 LOCAL header: the proxy's own health check, which closes without a byte more. */
    let healthCheck = false;
    const finish = (result: Preamble) => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      socket.pause();
      resolve(result);
    };
    const onClose = () =>
      finish(
        healthCheck
          ? { ok: false, reason: 'proxy health check', healthCheck: true }
          : { ok: false, reason: 'closed during preamble' },
      );
    const timer = setTimeout(() => finish({ ok: false, reason: 'silent after connect' }), options.timeoutMs);
    const onData = (chunk: Buffer) => {
      buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
      if (!proxyDone) {
        const proxy = parseProxyHeader(buffer);
        if (proxy.status === 'incomplete') {
          if (buffer.length > options.maxProxyHeaderBytes)
            finish({ ok: false, reason: 'oversized PROXY header' });
          return;
        }
        if (proxy.status === 'invalid') return finish({ ok: false, reason: proxy.reason });
        if (proxy.status === 'ok') {
          if (!options.trustedProxy)
            return finish({
              ok: false,
              reason: 'PROXY header from an address that is not a configured proxy',
            });
          if (proxy.sourceAddress) clientAddress = normalizeAddress(proxy.sourceAddress);
          else healthCheck = true;
          buffer = buffer.subarray(proxy.consumed);
        }
        proxyDone = true;
        if (buffer.length === 0) return;
      }
      const isTls = options.tls !== null && (!options.detectTls || buffer[0] === 0x16);
      if (!isTls) return finish({ ok: true, stream: socket, clientAddress, initial: buffer, tls: false });
      return finish({
        ok: true,
        stream: wrapTls(socket, buffer, options.tls!),
        clientAddress,
        initial: Buffer.alloc(0),
        tls: true,
      });
    };
    socket.on('data', onData);
    socket.on('close', onClose);
  });
}

/**
 * TLS over bytes already read: a small duplex replays them before the socket's own data, because a TLSSocket
 * built on a net.Socket would take over its handle and never see what was read before.
 */
function wrapTls(socket: Socket, already: Buffer, context: SecureContext): TLSSocket {
  const carrier = new Duplex({
    read() {
      socket.resume();
    },
    write(chunk, _encoding, callback) {
      socket.write(chunk, callback);
    },
    final(callback) {
      socket.end();
      callback();
    },
    destroy(err, callback) {
      socket.destroy(err ?? undefined);
      callback(err);
    },
  });
  carrier.push(already);
  socket.on('data', (data: Buffer) => {
    if (!carrier.push(data)) socket.pause();
  });
  socket.on('end', () => carrier.push(null));
  socket.on('close', () => carrier.destroy());
  socket.on('error', (err) => carrier.destroy(err));
  return new TLSSocket(carrier as unknown as Socket, { isServer: true, secureContext: context });
}

/** "::ffff:1.2.3.4" and "1.2.3.4" are the same client. */
export function normalizeAddress(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
