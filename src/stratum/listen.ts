import { createServer, type Server, type Socket } from 'node:net';
import { createSecureContext, type SecureContext } from 'node:tls';
import type { Logger } from 'pino';
import type { PortConfig } from './types.ts';

export interface BoundPort {
  host: string;
  port: number;
  /** The pool the port serves. */
  pool: string;
  config: PortConfig;
}

/** Listens on one configured port (port 0: any free one); each connection goes to `onConnection`. */
export async function listenPort(
  config: PortConfig,
  pool: string,
  onConnection: (socket: Socket, tls: SecureContext | null) => void,
  logger: Logger,
): Promise<{ server: Server; bound: BoundPort }> {
  const tls = config.tls ? createSecureContext({ key: config.tls.key, cert: config.tls.cert }) : null;
  const server = createServer({ pauseOnConnect: false, noDelay: true }, (socket) =>
    onConnection(socket, tls),
  );
  server.on('error', (err) => logger.error({ err, port: config.port }, 'stratum listener error'));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host ?? '0.0.0.0', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  logger.info(
    { port, pool, tls: Boolean(tls), detectTls: Boolean(config.tls?.detect) },
    'stratum port listening',
  );
  return { server, bound: { host: config.host ?? '0.0.0.0', port, pool, config } };
}
