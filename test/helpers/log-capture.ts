import pino, { type Logger } from 'pino';

export interface CapturedLog {
  level: number;
  msg: string;
  [key: string]: unknown;
}

/** A real pino logger whose JSON lines are kept in memory, so tests can count what an operator would read. */
export function captureLogs(level = 'debug'): { logger: Logger; lines: CapturedLog[] } {
  const lines: CapturedLog[] = [];
  const logger = pino(
    { level },
    {
      write(line: string) {
        lines.push(JSON.parse(line) as CapturedLog);
      },
    },
  );
  return { logger, lines };
}

/** pino's info level (30); warn is 40, error 50. */
export const INFO = 30;
