// Builds the website (web/ → web/dist) during `npm ci`/`npm install`, beside the native kernel.
// Vite is a devDependency: an install without dev dependencies (`npm ci --omit=dev`) skips the build
// with a note, and the pool then serves no site unless web/dist was built elsewhere and copied in.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const require = createRequire(import.meta.url);
let viteBin;
try {
  const manifest = require.resolve('vite/package.json');
  const bin = JSON.parse(readFileSync(manifest, 'utf8')).bin;
  viteBin = join(dirname(manifest), typeof bin === 'string' ? bin : bin.vite);
} catch {
  console.warn(
    'enigmapool: vite is not installed (dev dependencies omitted); the website in web/ was not built',
  );
  process.exit(0);
}

const root = join(dirname(new URL(import.meta.url).pathname), '..');
const result = spawnSync(process.execPath, [viteBin, 'build', 'web', '--logLevel', 'warn'], {
  cwd: root,
  stdio: 'inherit',
});
if (result.status !== 0) {
  console.error(`enigmapool: the website did not build (vite exit ${result.status})`);
  process.exit(1);
}
// Compressed copies beside the hashed assets, so a server (fastify-static's preCompressed, NGINX's
// gzip_static/brotli_static) or a CDN need not compress them on every request.
const assets = join(root, 'web/dist/assets');
for (const name of readdirSync(assets).filter((n) => /\.(js|css)$/.test(n))) {
  const bytes = readFileSync(join(assets, name));
  writeFileSync(join(assets, `${name}.gz`), gzipSync(bytes, { level: 9 }));
  writeFileSync(
    join(assets, `${name}.br`),
    brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
  );
}
console.log('enigmapool: website built into web/dist');
