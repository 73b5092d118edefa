import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { isSafeNumber, parse as parseLosslessJson } from 'lossless-json';
import {
  blockTarget,
  bytesToHex,
  calcN,
  computeHit,
  decodeCompactBits,
  type HeaderJson,
  headerIdHex,
  headerMsg,
  hexToBytes,
  InvalidFieldError,
  isBlockSolution,
  KERNEL_CHOICES,
  type KernelChoice,
  loadKernel,
} from '../autolykos/index.ts';
import { integerOption, jsonLine } from './args.ts';
import { UsageError } from './errors.ts';
import { runPowBench } from './pow-bench.ts';
import { POW_USAGE } from './usage.ts';

export async function powCommand(argv: string[], out: (line: string) => void): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      msg: { type: 'string' },
      nonce: { type: 'string' },
      height: { type: 'string' },
      header: { type: 'string' },
      bench: { type: 'boolean' },
      seconds: { type: 'string' },
      workers: { type: 'string' },
      kernel: { type: 'string' },
    },
    strict: true,
  });
  const kernel = kernelOption(values.kernel);
  if (values.bench) {
    return runPowBench(
      {
        seconds: integerOption(values.seconds, 'seconds', 10, 1),
        workers:
          values.workers === undefined ? undefined : integerOption(values.workers, 'workers', undefined, 1),
        kernel,
      },
      out,
    );
  }
  if (values.header !== undefined) return out(jsonLine(await checkHeaderFile(values.header, kernel)));
  if (values.msg === undefined && values.nonce === undefined && values.height === undefined) {
    throw new UsageError(`pow needs --msg/--nonce/--height, --header or --bench\n${POW_USAGE}`);
  }
  const msg = fieldBytes(values.msg, 'msg', 32);
  const nonce = fieldBytes(values.nonce, 'nonce', 8);
  const height = integerOption(values.height, 'height');
  if (height > 0xffffffff) throw new UsageError('--height must fit in 32 bits');
  const hit = computeHit(await loadKernel(kernel), { msg, nonce, height });
  out(jsonLine({ N: calcN(height), hit: hit.toString(16).padStart(64, '0') }));
}

function kernelOption(value: string | undefined): KernelChoice {
  if (value === undefined) return 'best';
  if (!(KERNEL_CHOICES as readonly string[]).includes(value)) {
    throw new UsageError(`--kernel must be one of ${KERNEL_CHOICES.join(', ')}, got "${value}"`);
  }
  return value as KernelChoice;
}

function fieldBytes(value: string | undefined, name: string, bytes: number): Uint8Array {
  if (value === undefined) throw new UsageError(`--${name} is required`);
  try {
    return hexToBytes(value, `--${name}`, bytes);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** msg, id, N, difficulty, b, hit and validPow of a header file (a header, or a full block with `header`). */
export async function checkHeaderFile(path: string, kernel: KernelChoice = 'best') {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(
      `--header: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  let parsed: unknown;
  try {
    parsed = parseLosslessJson(text, null, (v) => (isSafeNumber(v) ? Number(v) : BigInt(v)));
  } catch (err) {
    throw new UsageError(`--header: ${path} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null)
    throw new UsageError(`--header: ${path} must hold a JSON object`);
  const header = ('header' in parsed ? (parsed as { header: unknown }).header : parsed) as HeaderJson;
  try {
    const msg = headerMsg(header);
    const id = headerIdHex(header);
    const nonce = hexToBytes(header.powSolutions.n, 'powSolutions.n', 8);
    const difficulty = decodeCompactBits(header.nBits);
    const b = blockTarget(difficulty);
    const hit = computeHit(await loadKernel(kernel), { msg, nonce, height: header.height });
    return {
      height: header.height,
      msg: bytesToHex(msg),
      id,
      ...(header.id === undefined ? {} : { idMatchesHeader: header.id === id }),
      N: calcN(header.height),
      difficulty: difficulty.toString(),
      b: b.toString(),
      hit: hit.toString(16).padStart(64, '0'),
      validPow: isBlockSolution(hit, b),
    };
  } catch (err) {
    if (err instanceof InvalidFieldError || err instanceof RangeError)
      throw new UsageError(`header ${err.message}`);
    throw err;
  }
}
