// The stratum server every bench loads: one loopback port where every nonce is a share (difficulty 1e-10, so
// every submit is fully verified), no blocks (b = 1), and limits wide enough for a load generator.

import type { ShareSink, StratumServer, StratumServerOptions } from '../src/stratum/index.ts';
import { ergoServer } from '../test/helpers/stratum-harness.ts';

export const EVERY_NONCE_WORK = { msg: '01'.padStart(64, '0'), b: 1n, height: 1_925_000, version: 3 };

export function everyNonceServer(
  verifier: Parameters<typeof ergoServer>[0]['verifier'],
  sink: ShareSink,
  extra: Partial<StratumServerOptions> = {},
): StratumServer {
  return ergoServer({
    start: '1e-10',
    verifier,
    sink,
    extranonce1Size: 3,
    limits: {
      maxConnectionsPerAddress: 1_000_000,
      messagesPerSecond: 10_000,
      messageBurst: 10_000,
      idleTimeoutMs: 3_600_000,
    },
    ...extra,
  });
}
