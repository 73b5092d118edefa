-- 0004 statistics and pool state.
--
-- Hashrate samples for the API and UI, kept after the shares they summarise are pruned. Hashrates are
-- estimates (double precision); the exact Σ expected hashes of the interval is kept beside them.

CREATE TABLE pool_stats (
  sampled_at         timestamptz      NOT NULL,             -- end of the interval
  instance           text             NOT NULL DEFAULT '',
  interval_seconds   integer          NOT NULL CHECK (interval_seconds > 0),
  expected_hashes    numeric(78,0)    NOT NULL DEFAULT 0,   -- Σ expected hashes of accepted shares
  hashrate           double precision NOT NULL,             -- H/s estimate
  shares             integer          NOT NULL DEFAULT 0,
  stale_shares       integer          NOT NULL DEFAULT 0,
  invalid_shares     integer          NOT NULL DEFAULT 0,
  miners             integer          NOT NULL DEFAULT 0,
  workers            integer          NOT NULL DEFAULT 0,
  connections        integer          NOT NULL DEFAULT 0,
  height             integer,
  network_difficulty numeric(78,0),
  network_hashrate   double precision,
  PRIMARY KEY (sampled_at, instance)
);

CREATE TABLE miner_stats (
  address          text             COLLATE "C" NOT NULL,
  worker           text             COLLATE "C" NOT NULL DEFAULT '',  -- '' for the miner as a whole
  sampled_at       timestamptz      NOT NULL,
  interval_seconds integer          NOT NULL CHECK (interval_seconds > 0),
  expected_hashes  numeric(78,0)    NOT NULL DEFAULT 0,
  hashrate         double precision NOT NULL,
  shares           integer          NOT NULL DEFAULT 0,
  stale_shares     integer          NOT NULL DEFAULT 0,
  invalid_shares   integer          NOT NULL DEFAULT 0,
  PRIMARY KEY (address, worker, sampled_at)
);

-- Pruning old samples, and "all miners at time t".
CREATE INDEX miner_stats_sampled_at_idx ON miner_stats (sampled_at);

-- Small named positions of background jobs (e.g. the PPS period credited up to, the last height scanned),
-- written in the same transaction as the work they record.
CREATE TABLE pool_cursors (
  name       text        PRIMARY KEY,
  value      jsonb       NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
