import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { assertBatchShape, type HitBatch, type HitKernel } from './kernel.ts';
import { createReferenceKernel } from './reference.ts';

/** The compiled addon (native/autolykos, built by `npm ci` through node-gyp). */
interface NativeAddon {
  hits(
    msgs: Uint8Array,
    nonces: Uint8Array,
    heights: Uint32Array,
    ns: Uint32Array,
    out: Uint8Array,
    kernel: number,
  ): void;
  kernels(): string[];
  blake2b256(data: Uint8Array): Uint8Array;
}

const NATIVE_KERNEL_IDS: Record<string, number> = { scalar: 1, avx2: 2, avx512: 3 };
export const KERNEL_CHOICES = ['best', 'reference', 'scalar', 'avx2', 'avx512'] as const;
export type KernelChoice = (typeof KERNEL_CHOICES)[number];

const ADDON_PATH = fileURLToPath(new URL('../../build/Release/autolykos.node', import.meta.url));

let addon: NativeAddon | null | undefined;
let addonError = '';

function loadAddon(): NativeAddon | null {
  if (addon !== undefined) return addon;
  try {
    if (!existsSync(ADDON_PATH)) throw new Error(`${ADDON_PATH} not built`);
    addon = createRequire(import.meta.url)(ADDON_PATH) as NativeAddon;
  } catch (err) {
    addonError = (err as Error).message;
    addon = null;
  }
  return addon;
}

/** Native kernels this CPU can run, best first; empty when the addon is not built. */
export function nativeKernels(): KernelChoice[] {
  return (loadAddon()?.kernels() ?? []) as KernelChoice[];
}

/** Why the native addon is unavailable ('' when it loaded). */
export function nativeLoadError(): string {
  loadAddon();
  return addonError;
}

/** BLAKE2b-256 from the native addon (tests compare it with @noble/hashes). */
export function nativeBlake2b256(data: Uint8Array): Uint8Array {
  const native = loadAddon();
  if (!native) throw new Error(`native Autolykos addon unavailable: ${addonError}`);
  return native.blake2b256(data);
}

/**
 * The kernel to check shares with: 'best' takes the fastest native kernel and falls back to the
 * portable reference when the addon did not build; a named kernel must be available or this throws.
 */
export async function loadKernel(choice: KernelChoice = 'best'): Promise<HitKernel> {
  if (choice === 'reference') return createReferenceKernel();
  const native = loadAddon();
  const available = native?.kernels() ?? [];
  if (choice === 'best') {
    if (!native || available.length === 0) return createReferenceKernel();
    return nativeKernel(native, available[0]!);
  }
  if (!native)
    throw new Error(`kernel ${choice} needs the native addon, which is unavailable: ${addonError}`);
  if (!available.includes(choice))
    throw new Error(`kernel ${choice} is not supported on this CPU (have ${available.join(', ')})`);
  return nativeKernel(native, choice);
}

function nativeKernel(native: NativeAddon, name: string): HitKernel {
  const id = NATIVE_KERNEL_IDS[name];
  if (id === undefined) throw new Error(`unknown native kernel ${name}`);
  return {
    name,
    hits(batch: HitBatch, out: Uint8Array): void {
      assertBatchShape(batch, out);
      native.hits(batch.msgs, batch.nonces, batch.heights, batch.ns, out, id);
    },
  };
}
