// Worker bootstrap: the project runs its TypeScript through tsx, so register it in this thread first.
import { register } from 'tsx/esm/api';

register();
await import('./hash-worker.ts');
