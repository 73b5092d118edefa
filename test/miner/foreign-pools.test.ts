import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import {
  computeHit,
  DIFF1_TARGET,
  type HitKernel,
  hexToBytes,
  loadKernel,
} from '../../src/autolykos/index.ts';
import { CpuMiner } from '../../src/miner/index.ts';
import { MINER_ADDRESS, msgHex } from '../helpers/stratum-harness.ts';

const until = async (check: () => boolean, timeoutMs: number, what: string) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

/**
 * Shares a CPU thread finds every few hundred hashes (the difficulty 2e-7 of the other miner tests), and
 * a network target D times harder: a miner that mistook b for its share target would find almost none.
 */
const EASY = DIFF1_TARGET * 5_000_000n;
const D = 4000n;
const B = EASY / D;
const HEIGHT = 1_600_000;

interface Submission {
  ntime: unknown;
  hit: bigint;
  accepted: boolean;
}

/**
 * A tiny Ergo stratum server written the way other pools are (protocol.md A.1–A.5), not the way EnigmaPool is:
 * - `nodejs`: the Node.js Ergo stratum servers' default. en1 4 bytes; set_difficulty [d] and notify right
 *   after subscribe; notify[6] = b; a share is hit < b·d; the nonce is rebuilt from en1 + extranonce2;
 *   errors are arrays.
 * - `miningcore`: set_difficulty [1] and notify after authorize, notify[6] = Diff1/d, the full nonce from
 *   params[4] must start with en1, and nTime must be the literal "undefined"; responses carry no error key.
 */
class ForeignPool {
  readonly submissions: Submission[] = [];
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  /** nodejs: the multiplier d of set_difficulty; miningcore: the d of its target Diff1/d, as a ratio. */
  private difficulty: { num: bigint; den: bigint };

  constructor(
    private readonly dialect: 'nodejs' | 'miningcore',
    private readonly kernel: HitKernel,
    difficulty: { num: bigint; den: bigint },
  ) {
    this.difficulty = difficulty;
    this.server = createServer((socket) => this.serve(socket));
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as { port: number }).port;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The share target this server checks against. */
  target(): bigint {
    const { num, den } = this.difficulty;
    return this.dialect === 'nodejs' ? (B * num) / den : (DIFF1_TARGET * den) / num;
  }

  /** A vardiff change the Node.js way: set_difficulty [d], then a new job. */
  retarget(difficulty: bigint, job: number): void {
    this.difficulty = { num: difficulty, den: 1n };
    for (const s of this.sockets) {
      this.write(s, { id: null, method: 'mining.set_difficulty', params: [Number(difficulty)] });
      this.notify(s, job);
    }
  }

  private write(socket: Socket, message: unknown): void {
    socket.write(`${JSON.stringify(message)}\n`);
  }

  private notify(socket: Socket, job: number): void {
    const target = this.dialect === 'nodejs' ? B : this.target();
    const id = this.dialect === 'nodejs' ? job.toString(16) : job.toString(16).padStart(8, '0');
    this.write(socket, {
      ...(this.dialect === 'miningcore' ? { jsonrpc: '2.0' } : {}),
      id: null,
      method: 'mining.notify',
      params: [id, HEIGHT, msgHex(job), '', '', 2, target.toString(), '', true],
    });
  }

  private serve(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const en1 = this.dialect === 'nodejs' ? 'a1b2c3d4' : 'a001';
    const job = 1;
    let buffer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        const { id, method, params } = JSON.parse(line) as { id: number; method: string; params: unknown[] };
        if (method === 'mining.subscribe') {
          const result = [[['mining.notify', 'deadbeefcafebabe0000000000000001']], en1, 8 - en1.length / 2];
          this.write(socket, { id, result, error: null });
          if (this.dialect === 'nodejs') {
            const d = Number(this.difficulty.num) / Number(this.difficulty.den);
            this.write(socket, { id: null, method: 'mining.set_difficulty', params: [d] });
            this.notify(socket, job);
          }
        } else if (method === 'mining.authorize') {
          this.write(
            socket,
            this.dialect === 'nodejs' ? { id, result: true, error: null } : { result: true, id },
          );
          if (this.dialect === 'miningcore') {
            this.write(socket, { jsonrpc: '2.0', id: null, method: 'mining.set_difficulty', params: [1] });
            this.notify(socket, job);
          }
        } else if (method === 'mining.submit') this.submit(socket, id, params, en1);
        else if (this.dialect === 'miningcore')
          this.write(socket, {
            result: false,
            error: { code: 20, message: `Unsupported request ${method}`, data: null },
            id,
          });
        // the Node.js server does not answer methods it does not know
      }
    });
  }

  private submit(socket: Socket, id: number, params: unknown[], en1: string): void {
    const [, jobId, extranonce2, ntime, full] = params as string[];
    const reject = (code: number, message: string) =>
      this.write(
        socket,
        this.dialect === 'nodejs'
          ? { id, result: null, error: [code, message, null] }
          : { result: false, error: { code, message, data: null }, id },
      );
    if (this.dialect === 'miningcore' && ntime !== 'undefined') {
      this.submissions.push({ ntime, hit: -1n, accepted: false });
      reject(20, 'incorrect size of ntime');
      return;
    }
    const nonce = this.dialect === 'nodejs' ? en1 + extranonce2 : full!;
    if (nonce.length !== 16 || !nonce.startsWith(en1)) {
      reject(20, 'incorrect size of nonce');
      return;
    }
    const job = Number.parseInt(jobId!, 16);
    const hit = computeHit(this.kernel, {
      msg: hexToBytes(msgHex(job), 'msg', 32),
      nonce: hexToBytes(nonce, 'nonce', 8),
      height: HEIGHT,
    });
    const accepted = hit < this.target();
    this.submissions.push({ ntime, hit, accepted });
    if (!accepted) reject(23, 'Low Difficulty share');
    else
      this.write(
        socket,
        this.dialect === 'nodejs' ? { id, result: true, error: null } : { result: true, id },
      );
  }
}

/** A one-thread CPU miner pointed at the pool; the caller stops it. */
async function minerFor(pool: ForeignPool): Promise<CpuMiner> {
  const port = await pool.listen();
  return new CpuMiner({
    url: `stratum+tcp://127.0.0.1:${port}`,
    user: `${MINER_ADDRESS}.foreign`,
    threads: 1,
  });
}

describe('the CPU miner as a client of other Ergo pools (issue 11.25)', () => {
  it('Node.js dialect: share target b·d from set_difficulty [d] and notify[6] = b, credited at d', async () => {
    const kernel = await loadKernel();
    const pool = new ForeignPool('nodejs', kernel, { num: D, den: 1n });
    const miner = await minerFor(pool);
    try {
      await miner.start();
      await until(() => pool.submissions.length >= 6, 60_000, 'six shares');
      assert.ok(
        pool.submissions.every((s) => s.accepted),
        'every share meets b·d (none too easy)',
      );
      // at b·d most shares are above b; a miner mining at b alone would send only hits below it
      const aboveB = pool.submissions.filter((s) => s.hit >= B).length;
      assert.ok(aboveB >= 3, `${aboveB} of ${pool.submissions.length} shares were easier than b`);
      assert.equal(miner.stats.rejected, 0);

      // vardiff the Node.js way: set_difficulty [2d] with the next job; the miner follows
      const before = pool.submissions.length;
      pool.retarget(D * 2n, 2);
      // each share at b·2d is above b·d with probability ½: 14 of them leave 1 in 16,384 to chance
      await until(() => pool.submissions.length >= before + 15, 60_000, 'shares at the new difficulty');
      const after = pool.submissions.slice(before + 1);
      assert.ok(after.every((s) => s.accepted && s.hit < B * D * 2n));
      assert.ok(
        after.some((s) => s.hit >= B * D),
        'shares between b·d and b·2d: the new multiplier is used',
      );
    } finally {
      await miner.stop();
      await pool.close();
    }
  });

  it('miningcore dialect: set_difficulty [1], the target in notify[6], nTime "undefined"', async () => {
    const kernel = await loadKernel();
    // d = 2e-7: the easy target, all of it in notify[6]
    const pool = new ForeignPool('miningcore', kernel, { num: 2n, den: 10_000_000n });
    const miner = await minerFor(pool);
    try {
      await miner.start();
      await until(() => pool.submissions.length >= 5, 60_000, 'five shares');
      // the pool records a share before its reply reaches the miner
      await until(() => miner.stats.accepted >= 5, 10_000, 'five replies');
      assert.deepEqual(
        pool.submissions.map((s) => s.ntime),
        pool.submissions.map(() => 'undefined'),
      );
      assert.ok(pool.submissions.every((s) => s.accepted));
      assert.equal(miner.stats.rejected, 0);
      assert.ok(miner.stats.accepted >= 5);
    } finally {
      await miner.stop();
      await pool.close();
    }
  });
});
