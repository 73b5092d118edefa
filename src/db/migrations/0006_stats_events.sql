-- 0006 statistics detail, rejected-share counts, pool instances, leases and the event outbox.
--
-- miner_stats holds one row per worker (the unnamed worker is '') and stats interval: the accepted shares of
-- that interval, summed by the stats job from `shares` (src/stats), plus the worker's current hashrate
-- estimate at the interval's end. Miner and pool totals are sums over workers, never stored rows.
ALTER TABLE miner_stats
  ADD COLUMN first_share_at     timestamptz,                       -- the interval's first share
  ADD COLUMN first_share_hashes numeric(78,0) NOT NULL DEFAULT 0,  -- … and its expected hashes
  ADD COLUMN last_share_at      timestamptz,
  -- Σ expected_hashes / network_difficulty: the interval's work in expected blocks (effort, PPLNS share).
  ADD COLUMN weight             numeric NOT NULL DEFAULT 0 CHECK (weight >= 0),
  ADD COLUMN online             boolean NOT NULL DEFAULT false;

ALTER TABLE pool_stats
  ADD COLUMN weight numeric NOT NULL DEFAULT 0 CHECK (weight >= 0);

CREATE INDEX miner_stats_worker_time_idx ON miner_stats (address, sampled_at);

-- The same sums per worker and hour (hour_end: the end of the hour), kept by the stats job from
-- miner_stats, so a day's figures read 24 rows per worker instead of 1,440.
CREATE TABLE miner_stats_hourly (
  address         text          COLLATE "C" NOT NULL,
  worker          text          COLLATE "C" NOT NULL,
  hour_end        timestamptz   NOT NULL,
  expected_hashes numeric(78,0) NOT NULL DEFAULT 0,
  shares          integer       NOT NULL DEFAULT 0,
  stale_shares    integer       NOT NULL DEFAULT 0,
  invalid_shares  integer       NOT NULL DEFAULT 0,
  last_share_at   timestamptz,
  PRIMARY KEY (address, worker, hour_end)
);

CREATE INDEX miner_stats_hourly_hour_idx ON miner_stats_hourly (hour_end);

-- Shares that were answered with an error, counted per stats interval by each stratum instance (which sets
-- the whole count of its own rows, so a repeated write is harmless). Accepted shares are in `shares`.
CREATE TABLE share_rejections (
  bucket_at timestamptz NOT NULL,                 -- end of the stats interval
  instance  text        NOT NULL,
  address   text        COLLATE "C" NOT NULL,     -- '' when the connection had no authorized worker
  worker    text        COLLATE "C" NOT NULL,
  stale     integer     NOT NULL DEFAULT 0 CHECK (stale >= 0),
  invalid   integer     NOT NULL DEFAULT 0 CHECK (invalid >= 0),  -- invalid, duplicate, low difficulty
  PRIMARY KEY (bucket_at, instance, address, worker)
);

CREATE INDEX share_rejections_address_idx ON share_rejections (address, bucket_at);

-- Every running pool process says what it runs and how many miners it holds, every stats interval.
CREATE TABLE pool_instances (
  instance    text        PRIMARY KEY,
  roles       text[]      NOT NULL,
  connections integer     NOT NULL DEFAULT 0 CHECK (connections >= 0),
  workers     integer     NOT NULL DEFAULT 0 CHECK (workers >= 0),
  started_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Singleton jobs (the stats job, the event notifier) run on one instance at a time: the holder of an
-- unexpired lease. `token` grows every time the lease changes hands, so a job that lost its lease while it
-- was working can tell (fencing) and writes nothing.
CREATE TABLE leases (
  name       text        PRIMARY KEY,
  holder     text        NOT NULL,
  token      bigint      NOT NULL CHECK (token > 0),
  expires_at timestamptz NOT NULL
);

-- The event outbox: written by triggers in the same transaction as the change it reports, so an event is
-- never lost and never invented; the notifier (src/api) delivers each row once to the websockets and
-- webhooks and stamps it.
CREATE TABLE pool_events (
  id           bigserial   PRIMARY KEY,
  kind         text        NOT NULL CHECK (kind IN ('block.found', 'block.progress', 'block.confirmed',
                                                    'block.orphaned', 'payment.sent', 'payment.failed',
                                                    'payment.confirmed')),
  block_id     bigint,
  payment_id   bigint,
  created_at   timestamptz NOT NULL DEFAULT now(),
  delivered_at timestamptz
);

CREATE INDEX pool_events_pending_idx ON pool_events (id) WHERE delivered_at IS NULL;

CREATE FUNCTION pool_events_from_blocks() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO pool_events (kind, block_id) VALUES ('block.found', NEW.id);
  ELSIF NEW.status IS DISTINCT FROM OLD.status AND NEW.status IN ('confirmed', 'orphaned') THEN
    INSERT INTO pool_events (kind, block_id) VALUES ('block.' || NEW.status, NEW.id);
  ELSIF NEW.status = 'pending' AND NEW.confirmations IS DISTINCT FROM OLD.confirmations THEN
    INSERT INTO pool_events (kind, block_id) VALUES ('block.progress', NEW.id);
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER pool_events_from_blocks AFTER INSERT OR UPDATE OF status, confirmations ON blocks
  FOR EACH ROW EXECUTE FUNCTION pool_events_from_blocks();

CREATE FUNCTION pool_events_from_payments() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status IS DISTINCT FROM OLD.status AND NEW.status IN ('sent', 'failed', 'confirmed') THEN
    INSERT INTO pool_events (kind, payment_id) VALUES ('payment.' || NEW.status, NEW.id);
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER pool_events_from_payments AFTER UPDATE OF status ON payments
  FOR EACH ROW EXECUTE FUNCTION pool_events_from_payments();
