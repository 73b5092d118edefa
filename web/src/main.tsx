import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.tsx';
import { publish } from './lib/hooks.ts';
import { live } from './lib/live.ts';
import { apiPath } from './lib/pool-param.ts';
import { applyTheme } from './lib/theme.ts';
import './styles.css';

applyTheme();
// Stats events carry a pool's whole figures: show them without another request (the default pool's also
// under its unprefixed path).
live.onEvent((event) => {
  if (event.type !== 'stats') return;
  const pool = event.pool ?? live.defaultPool;
  if (pool) publish(apiPath('/stats', pool), event.data);
  if (!pool || pool === live.defaultPool) publish('/stats', event.data);
});
live.start();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
