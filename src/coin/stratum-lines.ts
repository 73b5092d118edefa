/**
 * A server-to-miner notification (id null), newline-terminated: the one line shape every stratum dialect
 * builds its set_difficulty and notify from.
 */
export function notificationLine(method: string, params: unknown[]): string {
  return `${JSON.stringify({ id: null, method, params })}\n`;
}
