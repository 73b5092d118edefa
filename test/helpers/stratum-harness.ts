import { VerifierPool } from '../../src/autolykos/index.ts';
import { ergoStratumPool } from '../../src/cli/coins.ts';
import { parseDifficulty } from '../../src/coin/index.ts';
import type { NetworkName } from '../../src/ergo/index.ts';
import {
  type BoundPort,
  DEFAULT_VARDIFF,
  MemoryShareSink,
  type PortConfig,
  StratumServer,
  type StratumServerOptions,
} from '../../src/stratum/index.ts';

export const MINER_ADDRESS = '9fRAWhdxEsTcdb8PhGNrZfwqa65zfkuYHAMmkQLcic1gdLSV5vA';
export const GROUP_Q = 115792089237316195423570985008687907852837564279074904382605163141518161494337n;

/** Every nonce meets difficulty 1e-10 (its target exceeds 2^256), so tests can submit any nonce as a share. */
export const EVERY_NONCE = '1e-10';

export function portConfig(overrides: Partial<PortConfig> = {}): PortConfig {
  return {
    port: 0,
    host: '127.0.0.1',
    startDifficulty: parseDifficulty(EVERY_NONCE),
    minDifficulty: parseDifficulty('1e-12'),
    maxDifficulty: parseDifficulty('1e9'),
    vardiff: null,
    ...overrides,
  };
}

/** Records block submissions in order, answering as a node would (the first one wins). */
export class RecordingSubmitter {
  readonly nonces: string[] = [];
  accept = true;
  async submitSolution(nonce: string) {
    this.nonces.push(nonce);
    return this.accept ? { accepted: true } : { accepted: false, detail: 'Invalid block mined' };
  }
}

export interface Harness {
  server: StratumServer;
  ports: BoundPort[];
  sink: MemoryShareSink;
  submitter: RecordingSubmitter;
  verifier: VerifierPool;
  close(): Promise<void>;
}

/** One Ergo pool ('ergo') on the given ports, checked by `verifier` (default: a one-thread VerifierPool). */
export interface HarnessOptions extends Partial<Omit<StratumServerOptions, 'pools'>> {
  ports?: PortConfig[];
  network?: NetworkName;
  verifier?: Parameters<typeof ergoStratumPool>[0]['verifier'];
}

/**
 * A server of one Ergo pool ('ergo', mainnet) on one loopback port with static difficulty `start` (min and
 * max default to it), checked by `verifier`, blocks to `nodes` (default: refused).
 */
export function ergoServer(
  o: {
    start: string;
    min?: string;
    max?: string;
    verifier: Parameters<typeof ergoStratumPool>[0]['verifier'];
    nodes?: Parameters<typeof ergoStratumPool>[0]['nodes'];
  } & Omit<StratumServerOptions, 'pools'>,
): StratumServer {
  const { start, min, max, verifier, nodes, ...rest } = o;
  return new StratumServer({
    pools: [
      ergoStratumPool({
        id: 'ergo',
        network: 'mainnet',
        ports: [
          portConfig({
            startDifficulty: parseDifficulty(start),
            minDifficulty: parseDifficulty(min ?? start),
            maxDifficulty: parseDifficulty(max ?? start),
          }),
        ],
        verifier,
        nodes: nodes ?? { submitSolution: async () => ({ accepted: false }) },
      }),
    ],
    ...rest,
  });
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const verifier = await VerifierPool.start({ workers: 1 });
  const sink = new MemoryShareSink();
  const submitter = new RecordingSubmitter();
  const { ports: configured, network, verifier: checks, ...rest } = options;
  const server = new StratumServer({
    pools: [
      ergoStratumPool({
        id: 'ergo',
        network: network ?? 'mainnet',
        ports: configured ?? [portConfig()],
        verifier: checks ?? verifier,
        nodes: submitter,
      }),
    ],
    sink,
    ...rest,
  });
  const ports = await server.start();
  return {
    server,
    ports,
    sink,
    submitter,
    verifier,
    async close() {
      await server.stop();
      await verifier.close();
    },
  };
}

export const msgHex = (k: number) => k.toString(16).padStart(64, '0');

export { DEFAULT_VARDIFF };
