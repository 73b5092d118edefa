import { parseDifficulty, VerifierPool } from '../../src/autolykos/index.ts';
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

export async function startHarness(options: Partial<StratumServerOptions> = {}): Promise<Harness> {
  const verifier = await VerifierPool.start({ workers: 1 });
  const sink = new MemoryShareSink();
  const submitter = new RecordingSubmitter();
  const server = new StratumServer({
    ports: [portConfig()],
    network: 'mainnet',
    verifier,
    submitter,
    sink,
    ...options,
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
