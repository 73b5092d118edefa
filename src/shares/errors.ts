export class JournalClosedError extends Error {
  constructor() {
    super('the share journal is closed');
    this.name = 'JournalClosedError';
  }
}

/**
 * The disk refused a write or a sync and the journal could not be put back in order: nothing more is taken
 * until a health probe cuts the segment back (health.ts).
 */
export class JournalFailedError extends Error {
  constructor(cause: unknown) {
    super(`the share journal cannot write: ${(cause as Error)?.message ?? cause}`, { cause });
    this.name = 'JournalFailedError';
  }
}
