/**
 * Newline framing with the per-connection limits: every line, empty ones too, takes a token from the bucket,
 * and a line (or an unfinished one) longer than maxLineBytes UTF-8 bytes ends the connection.
 */
export interface FramingLimits {
  maxLineBytes: number;
  messagesPerSecond: number;
  messageBurst: number;
}

export type FramingVerdict = 'line too long' | 'message flood';

/** UTF-8 bytes of `text` exceed `max`? Exact, with Buffer.byteLength only when the length cannot tell. */
export function exceedsBytes(text: string, max: number): boolean {
  if (text.length > max) return true; // every UTF-16 unit is at least one byte
  if (text.length * 3 <= max) return false; // and at most three
  return Buffer.byteLength(text, 'utf8') > max;
}

/** Who gets the lines: it answers each one, and may close meanwhile. */
export interface LineHandler {
  onLine(line: string): void;
  readonly closed: boolean;
}

export class LineFramer {
  private buffer = '';
  private tokens: number;
  private tokensAt: number;

  constructor(
    private readonly limits: FramingLimits,
    private readonly handler: LineHandler,
    now: number,
  ) {
    this.tokens = limits.messageBurst;
    this.tokensAt = now;
  }

  /** Splits decoded text into trimmed non-empty lines; returns why the connection must close, or null. */
  feed(chunk: string, now: number): FramingVerdict | null {
    const data = this.buffer.length === 0 ? chunk : this.buffer + chunk;
    const { maxLineBytes } = this.limits;
    let start = 0;
    for (let nl = data.indexOf('\n'); nl >= 0; nl = data.indexOf('\n', start)) {
      const line = data.slice(start, nl);
      start = nl + 1;
      if (!this.take(now)) return 'message flood';
      if (exceedsBytes(line, maxLineBytes)) return 'line too long';
      const trimmed = line.trim();
      if (trimmed.length > 0) this.handler.onLine(trimmed);
      if (this.handler.closed) return null;
    }
    this.buffer = start === 0 ? data : data.slice(start);
    return exceedsBytes(this.buffer, maxLineBytes) ? 'line too long' : null;
  }

  private take(now: number): boolean {
    const { messagesPerSecond, messageBurst } = this.limits;
    this.tokens = Math.min(messageBurst, this.tokens + ((now - this.tokensAt) / 1000) * messagesPerSecond);
    this.tokensAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
