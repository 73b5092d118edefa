// Builds the native Autolykos kernel with node-gyp during `npm ci`/`npm install`.
// A failed build is not fatal: the pool then checks shares with the portable WebAssembly BLAKE2b
// (about 5x slower per core), and says which kernel it uses at start. CI sets AUTOLYKOS_REQUIRE_NATIVE=1 to make it fatal.
import { spawnSync } from 'node:child_process';

const result = spawnSync('node-gyp', ['rebuild'], { stdio: 'inherit', shell: process.platform === 'win32' });
if (result.status !== 0) {
  const message = `enigmapool: native Autolykos kernel did not build (node-gyp exit ${result.status}); using the portable fallback`;
  if (process.env.AUTOLYKOS_REQUIRE_NATIVE === '1') {
    console.error(message);
    process.exit(1);
  }
  console.warn(message);
}
