import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.tsx';
import { publish } from './lib/hooks.ts';
import { live } from './lib/live.ts';
import { applyTheme } from './lib/theme.ts';
import './styles.css';

applyTheme();
// Stats events carry the whole figures: show them without another request.
live.onEvent((event) => {
  if (event.type === 'stats') publish('/stats', event.data);
});
live.start();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
