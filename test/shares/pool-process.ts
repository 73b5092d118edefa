import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';

const BIN = fileURLToPath(new URL('../../bin/enigmapool', import.meta.url));

/**
 * A small pool config for process tests: the devnet in-process (a block every ~`blockShares` shares), one
 * stratum port on loopback where every nonce is a share (static difficulty 1e-10), no demo miner, JSON logs.
 */
export function writePoolConfig(
  dir: string,
  options: { blockShares?: number; database?: string; webhook?: string } = {},
) {
  const path = join(dir, 'pool.yaml');
  const config = {
    network: 'mainnet',
    dataDir: join(dir, 'data'),
    log: { level: 'info', format: 'json' },
    devnet: {
      enabled: true,
      port: 0,
      difficulty: String(options.blockShares ?? 20_000),
      blockTimeSeconds: 60,
    },
    stratum: {
      ports: [
        {
          port: 0,
          host: '127.0.0.1',
          difficulty: { start: '1e-10', min: '1e-10', max: '1' },
          vardiff: false,
        },
      ],
      limits: { messagesPerSecond: 1_000_000, messageBurst: 1_000_000, maxPendingRequests: 64 },
    },
    demoMiner: { enabled: false },
    ...(options.database ? { database: { url: options.database } } : {}),
    ...(options.webhook ? { notifications: { webhooks: [{ url: options.webhook }] } } : {}),
  };
  writeFileSync(path, stringify(config));
  return path;
}

/** `bin/enigmapool start …` as a child process, with its log messages collected. */
export class PoolProcess {
  readonly lines: { level: number; msg: string; [k: string]: unknown }[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private buffer = '';

  private constructor(readonly child: ChildProcess) {
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      this.buffer += chunk;
      const parts = this.buffer.split('\n');
      this.buffer = parts.pop()!;
      for (const line of parts) {
        if (!line) continue;
        try {
          this.lines.push(JSON.parse(line));
        } catch {
          this.lines.push({ level: 60, msg: line });
        }
      }
    });
    this.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  }

  static start(args: string[], env: Record<string, string> = {}): PoolProcess {
    return new PoolProcess(
      spawn(BIN, ['start', ...args], {
        // The API on a free port: several pools (and other test runs) share this machine.
        env: { ...process.env, ENIGMAPOOL_LOG__FORMAT: 'json', ENIGMAPOOL_API__PORT: '0', ...env },
        stdio: ['ignore', 'ignore', 'pipe'],
      }),
    );
  }

  messages(): string[] {
    return this.lines.map((l) => l.msg);
  }

  async waitFor(pattern: RegExp, timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.lines.find((l) => pattern.test(l.msg));
      if (hit) return hit.msg;
      if (this.child.exitCode !== null || this.child.signalCode !== null)
        throw new Error(`pool exited before logging ${pattern}:\n${this.messages().join('\n')}`);
      if (Date.now() > deadline) throw new Error(`no log line ${pattern} in:\n${this.messages().join('\n')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async stratumPort(timeoutMs = 60_000): Promise<number> {
    const line = await this.waitFor(/point miners at stratum\+tcp:\/\/127\.0\.0\.1:\d+/, timeoutMs);
    return Number(/:(\d+) with user/.exec(line)![1]);
  }

  /** SIGINT and wait for the exit (SIGKILL after `timeoutMs`). */
  async stop(timeoutMs = 30_000) {
    this.child.kill('SIGINT');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const result = await this.exited;
    clearTimeout(timer);
    return result;
  }
}
