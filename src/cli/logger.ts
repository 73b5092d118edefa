import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

/**
 * Structured pino logs. On a terminal they are printed as readable single lines (pino-pretty); elsewhere as
 * JSON lines for log collectors; `log.format` json|pretty forces one. Every line is written synchronously
 * to stderr before the call returns (no pino transport, no buffer), so the lines that explain a crash or a
 * kill -9 are in the log; every command's logger comes from here.
 */
export function createLogger(
  level: string,
  requested: 'auto' | 'json' | 'pretty' = 'auto',
  name?: string,
): Logger {
  const format = requested === 'auto' ? (process.stderr.isTTY ? 'pretty' : 'json') : requested;
  const options = { level, base: undefined, ...(name ? { name } : {}) };
  if (format === 'json') return pino(options, pino.destination({ fd: 2, sync: true }));
  return pino(
    options,
    pretty({ destination: 2, sync: true, translateTime: 'HH:MM:ss', ignore: 'name', singleLine: true }),
  );
}
