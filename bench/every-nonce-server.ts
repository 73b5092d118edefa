// The stratum server every bench loads: one loopback port where every nonce is a share (difficulty 1e-10, so
// every submit is fully verified), no blocks (b = 1), and limits wide enough for a load generator.

import { ergoStratumPool } from '../src/cli/coins.ts';
import { parseDifficulty } from '../src/coin/index.ts';
import { type ShareSink, StratumServer, type StratumServerOptions } from '../src/stratum/index.ts';

export const EVERY_NONCE_WORK = { msg: '01'.padStart(64, '0'), b: 1n, height: 1_925_000, version: 3 };

export function everyNonceServer(
  verifier: Parameters<typeof ergoStratumPool>[0]['verifier'],
  sink: ShareSink,
  extra: Partial<StratumServerOptions> = {},
): StratumServer {
  const d = parseDifficulty('1e-10');
  return new StratumServer({
    pools: [
      ergoStratumPool({
        id: 'ergo',
        network: 'mainnet',
        ports: [
          {
            port: 0,
            host: '127.0.0.1',
            startDifficulty: d,
            minDifficulty: d,
            maxDifficulty: d,
            vardiff: null,
          },
        ],
        verifier,
        nodes: { submitSolution: async () => ({ accepted: false }) },
      }),
    ],
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
