import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = `${ROOT}bin/enigmapool`;

/** The deploy recipe with its ${POOL_*} placeholders filled, as envsubst does; a placeholder left over fails. */
export function renderTemplate(path: string, values: Record<string, string | number>): string {
  const text = readFileSync(path, 'utf8').replace(/\$\{(POOL_[A-Z0-9_]+)\}/g, (whole, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`${path}: no value for ${whole}`);
    return String(value);
  });
  return text;
}

/** Debian's nginx, which CI installs (`.ci/run`); the test fails when it is missing. */
export function nginxBinary(): string {
  for (const candidate of ['nginx', '/usr/sbin/nginx']) {
    if (spawnSync(candidate, ['-v']).status === 0) return candidate;
  }
  throw new Error('nginx is not installed (apt-get install nginx; .ci/run does it)');
}

/** A port free right now on loopback (nginx needs it in its config before it starts). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address !== 'object') throw new Error('no port');
  return address.port;
}

export interface Child {
  process: ChildProcess;
  log(): string;
  exited: Promise<number | null>;
}

export function spawnLogged(command: string, args: string[], env: NodeJS.ProcessEnv): Child {
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding('utf8');
    stream?.on('data', (c: string) => {
      log += c;
    });
  }
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { process: child, log: () => log, exited };
}

/** Polls `probe` until it returns a value (not undefined), or fails with `what` after `ms`. */
export async function until<T>(
  what: string,
  ms: number,
  probe: () => T | undefined | Promise<T | undefined>,
) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTPS request that trusts only the test's certificate, on a fresh connection. */
export function httpsGet(
  url: string,
  ca: string,
  headers: Record<string, string> = {},
  timeoutMs = 10_000,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { ca, servername: 'localhost', headers, agent: false, timeout: timeoutMs },
      (res) => {
        let body = '';
        res.setEncoding('latin1');
        res.on('data', (c: string) => {
          body += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: no answer in ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** The processes whose parent is `pid` (nginx's workers, cache manager and loader). */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        // Field 4 of /proc/PID/stat, after the parenthesised command name.
        return Number(readFileSync(`/proc/${name}/stat`, 'utf8').split(') ')[1]?.split(' ')[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Fast shutdown (SIGTERM: the master stops its workers); after 10 s, every one of them killed. */
export async function stopNginx(nginx: Child): Promise<void> {
  const pid = nginx.process.pid;
  if (pid === undefined || nginx.process.exitCode !== null || nginx.process.signalCode !== null) return;
  const workers = childrenOf(pid);
  nginx.process.kill('SIGTERM');
  const stopped = await Promise.race([
    nginx.exited.then(() => true),
    new Promise<boolean>((r) => setTimeout(() => r(false), 10_000)),
  ]);
  if (stopped) return;
  for (const worker of workers) {
    try {
      process.kill(worker, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  nginx.process.kill('SIGKILL');
  await nginx.exited;
}
