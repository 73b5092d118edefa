// Light and dark: the system's choice unless the visitor picked one (kept in localStorage).
import { useSyncExternalStore } from 'react';

export type Theme = 'light' | 'dark';
const KEY = 'enigmapool.theme';
const listeners = new Set<() => void>();

function stored(): Theme | null {
  try {
    const v = localStorage.getItem(KEY);
    return v === 'light' || v === 'dark' ? v : null;
  } catch {
    return null;
  }
}

function system(): Theme {
  return window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export function currentTheme(): Theme {
  return stored() ?? system();
}

export function applyTheme(): void {
  document.documentElement.dataset.theme = currentTheme();
}

export function setTheme(theme: Theme): void {
  try {
    localStorage.setItem(KEY, theme);
  } catch {
    // private mode: the choice lasts for this page only
  }
  applyTheme();
  for (const l of listeners) l();
}

export function useTheme(): Theme {
  return useSyncExternalStore((l) => {
    listeners.add(l);
    const media = window.matchMedia?.('(prefers-color-scheme: dark)');
    const onSystem = () => {
      applyTheme();
      l();
    };
    media?.addEventListener('change', onSystem);
    return () => {
      listeners.delete(l);
      media?.removeEventListener('change', onSystem);
    };
  }, currentTheme);
}
