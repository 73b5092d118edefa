import { readFileSync } from 'node:fs';
import { ConfigError } from '../config/index.ts';

/** Reads a stratum port's PEM key and certificate files; a missing file names the config key. */
export function readPortTls(tls: { keyFile: string; certFile: string; detect: boolean }): {
  key: string;
  cert: string;
  detect: boolean;
} {
  const read = (path: string, key: string) => {
    try {
      return readFileSync(path, 'utf8');
    } catch (err) {
      throw new ConfigError(
        `stratum.ports.tls.${key}: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? err}`,
      );
    }
  };
  return { key: read(tls.keyFile, 'keyFile'), cert: read(tls.certFile, 'certFile'), detect: tls.detect };
}
