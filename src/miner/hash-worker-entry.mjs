// Worker bootstrap. Compiled (dist/, see scripts/build-dist.mjs) the worker is plain JavaScript beside this
// file; from src/ (a dev checkout, tests) it is TypeScript, run through tsx registered in this thread.
import { existsSync } from 'node:fs';

const compiled = new URL('./hash-worker.js', import.meta.url);
if (existsSync(compiled)) await import(compiled.href);
else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./hash-worker.ts');
}
