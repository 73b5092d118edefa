import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Live values the gauges read when scraped. */
export interface PipelineGauges {
  journalBytes(): number;
  journalSegments(): number;
  backlog(): number;
}

/** The pipeline's Prometheus metrics; every method is a no-op without a registry. */
export interface PipelineMetrics {
  committed(group: { records: number; bytes: number; seconds: number }): void;
  shipped(records: number, seconds: number): void;
  dbError(): void;
  damaged(): void;
  quarantined(): void;
}

export const NO_METRICS: PipelineMetrics = {
  committed: () => undefined,
  shipped: () => undefined,
  dbError: () => undefined,
  damaged: () => undefined,
  quarantined: () => undefined,
};

export function createPipelineMetrics(
  registry: Registry | undefined,
  gauges: PipelineGauges,
): PipelineMetrics {
  if (!registry) return NO_METRICS;
  const registers = [registry];
  new Gauge({
    name: 'enigmapool_share_journal_bytes',
    help: 'Bytes in the share journal segment files',
    registers,
    collect() {
      this.set(gauges.journalBytes());
    },
  });
  new Gauge({
    name: 'enigmapool_share_journal_segments',
    help: 'Share journal segment files',
    registers,
    collect() {
      this.set(gauges.journalSegments());
    },
  });
  new Gauge({
    name: 'enigmapool_share_backlog',
    help: 'Acknowledged shares in the journal that are not in the database yet',
    registers,
    collect() {
      this.set(gauges.backlog());
    },
  });
  const journaled = new Counter({
    name: 'enigmapool_shares_journaled_total',
    help: 'Shares made durable in the journal',
    registers,
  });
  const commits = new Counter({
    name: 'enigmapool_share_journal_commits_total',
    help: 'Journal group commits (one write and one fdatasync each)',
    registers,
  });
  const commitSeconds = new Histogram({
    name: 'enigmapool_share_journal_commit_seconds',
    help: 'Time of one journal group commit (write + fdatasync)',
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5],
    registers,
  });
  const shipped = new Counter({
    name: 'enigmapool_shares_shipped_total',
    help: 'Shares written into the database by the shipper',
    registers,
  });
  const batchSeconds = new Histogram({
    name: 'enigmapool_share_ship_batch_seconds',
    help: 'Time of one shipper transaction',
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers,
  });
  const dbErrors = new Counter({
    name: 'enigmapool_share_db_errors_total',
    help: 'Failed shipper transactions (each is retried)',
    registers,
  });
  const damaged = new Counter({
    name: 'enigmapool_share_journal_damaged_total',
    help: 'Damaged journal ranges or undecodable records skipped',
    registers,
  });
  const quarantined = new Counter({
    name: 'enigmapool_shares_quarantined_total',
    help: 'Shares the database refused for their data, set aside in the quarantine file',
    registers,
  });
  return {
    committed(group) {
      journaled.inc(group.records);
      commits.inc();
      commitSeconds.observe(group.seconds);
    },
    shipped(records, seconds) {
      shipped.inc(records);
      batchSeconds.observe(seconds);
    },
    dbError: () => dbErrors.inc(),
    damaged: () => damaged.inc(),
    quarantined: () => quarantined.inc(),
  };
}
