-- 0008 pools: every row that belongs to one pool names it.
--
-- One deployment runs several pools side by side (e.g. a PPLNS pool and a SOLO pool on the same Ergo nodes),
-- each with its own id (config `pool.id`, or each entry of `pools:`). Every table whose rows belong to one
-- pool gets `pool_id`, and its natural keys and the indexes of per-pool queries lead with it.
--
-- Rows written before this migration belong to the deployment's default pool: migrate() sets
-- enigmapool.default_pool_id in this transaction (src/config's defaultPoolId: pool.id). Each column is added
-- with that value as its default, which PostgreSQL stores once for the existing rows (no table rewrite, and
-- no UPDATE: the append-only ledger and the balances guard are not involved), and the default is then
-- dropped, so application code always names the pool it writes for. What takes time on a large database:
-- one scan per table for the CHECK, and rebuilding the indexes that now lead with pool_id (the three on
-- shares above all), all in this migration's one transaction.
--
-- Left as they are:
--   payment_outputs        keyed through its payment (payment_id → payments): the payment's pool;
--   share_ingest_progress  per pool instance: an instance's journal holds the shares of all its pools, and
--                          crediting in any pool waits for every instance;
--   pool_instances         per process: its roles and connections;
--   leases                 per deployment: one accounting leader runs every pool's jobs.
--
-- No nanoERG crosses between pools, and the database enforces it: a ledger entry's block and payment belong
-- to the entry's pool (composite foreign keys to UNIQUE (id, pool_id)); balances are kept per
-- (pool_id, address) by the triggers, from the entries of that pool alone; an idempotency key is unique
-- within its pool. A block's header id and a payment's transaction id stay unique across every pool: one
-- chain block pays one pool, one transaction is one payment.

DO $$
BEGIN
  IF coalesce(current_setting('enigmapool.default_pool_id', true), '') = '' THEN
    RAISE EXCEPTION 'migration 0008 moves existing rows to the default pool: run it with migrate() (enigmapool migrate), which sets enigmapool.default_pool_id to the configured pool.id';
  END IF;
END
$$;

-- The pool column of every per-pool table: existing rows get the default pool, later rows name theirs.
ALTER TABLE shares ADD COLUMN pool_id text COLLATE "C" NOT NULL
  DEFAULT current_setting('enigmapool.default_pool_id') CHECK (pool_id <> '');
ALTER TABLE share_retention_holds ADD COLUMN pool_id text COLLATE "C" NOT NULL
  DEFAULT current_setting('enigmapool.default_pool_id') CHECK (pool_id <> '');
ALTER TABLE blocks ADD COLUMN pool_id text COLLATE "C" NOT NULL
  DEFAULT current_setting('enigmapool.default_pool_id') CHECK (pool_id <> '');
ALTER TABLE payments ADD COLUMN pool_id text COLLATE "C" NOT NULL
  DEFAULT current_setting('enigmapool.default_pool_id') CHECK (pool_id <> '');
ALTER TABLE ledger_entries ADD COLUMN pool_id text COLLATE "C" NOT NULL
  DEFAULT current_setting('enigmapool.default_pool_id') CHECK (pool_id <> '');
ALTER TABLE balances ADD COLUMN pool_id text COLLATE "C" NOT NULL
  DEFAULT current_setting('enigmapool.default_pool_id') CHECK (pool_id <> '');
ALTER TABLE miner_settings ADD COLUMN pool_id text COLLATE "C" NOT NULL
  DEFAULT current_setting('enigmapool.default_pool_id') CHECK (pool_id <> '');
ALTER TABLE pool_stats ADD COLUMN pool_id text COLLATE "C" NOT NULL
  DEFAULT current_setting('enigmapool.default_pool_id') CHECK (pool_id <> '');
ALTER TABLE miner_stats ADD COLUMN pool_id text COLLATE "C" NOT NULL
  DEFAULT current_setting('enigmapool.default_pool_id') CHECK (pool_id <> '');
ALTER TABLE miner_stats_hourly ADD COLUMN pool_id text COLLATE "C" NOT NULL
  DEFAULT current_setting('enigmapool.default_pool_id') CHECK (pool_id <> '');
ALTER TABLE share_rejections ADD COLUMN pool_id text COLLATE "C" NOT NULL
  DEFAULT current_setting('enigmapool.default_pool_id') CHECK (pool_id <> '');
ALTER TABLE pool_cursors ADD COLUMN pool_id text COLLATE "C" NOT NULL
  DEFAULT current_setting('enigmapool.default_pool_id') CHECK (pool_id <> '');
ALTER TABLE pool_events ADD COLUMN pool_id text COLLATE "C" NOT NULL
  DEFAULT current_setting('enigmapool.default_pool_id') CHECK (pool_id <> '');

ALTER TABLE shares ALTER COLUMN pool_id DROP DEFAULT;
ALTER TABLE share_retention_holds ALTER COLUMN pool_id DROP DEFAULT;
ALTER TABLE blocks ALTER COLUMN pool_id DROP DEFAULT;
ALTER TABLE payments ALTER COLUMN pool_id DROP DEFAULT;
ALTER TABLE ledger_entries ALTER COLUMN pool_id DROP DEFAULT;
ALTER TABLE balances ALTER COLUMN pool_id DROP DEFAULT;
ALTER TABLE miner_settings ALTER COLUMN pool_id DROP DEFAULT;
ALTER TABLE pool_stats ALTER COLUMN pool_id DROP DEFAULT;
ALTER TABLE miner_stats ALTER COLUMN pool_id DROP DEFAULT;
ALTER TABLE miner_stats_hourly ALTER COLUMN pool_id DROP DEFAULT;
ALTER TABLE share_rejections ALTER COLUMN pool_id DROP DEFAULT;
ALTER TABLE pool_cursors ALTER COLUMN pool_id DROP DEFAULT;
ALTER TABLE pool_events ALTER COLUMN pool_id DROP DEFAULT;

-- Shares: `id` alone stays the idempotency key (a uuid, whatever the pool). A pool's PPLNS windows, PROP
-- rounds, effort and PPS periods read its own shares by time; stats per miner; candidates directly.
DROP INDEX shares_created_at_idx;
DROP INDEX shares_address_created_at_idx;
DROP INDEX shares_block_candidates_idx;
CREATE INDEX shares_created_at_idx ON shares (pool_id, created_at, id);
CREATE INDEX shares_address_created_at_idx ON shares (pool_id, address, created_at);
CREATE INDEX shares_block_candidates_idx ON shares (pool_id, created_at) WHERE is_block;

-- A pool's retention holds (e.g. its PPS credits keep their oldest uncredited share).
ALTER TABLE share_retention_holds DROP CONSTRAINT share_retention_holds_pkey;
ALTER TABLE share_retention_holds ADD PRIMARY KEY (pool_id, name);

-- Blocks: a solution is recorded once per pool; UNIQUE (id, pool_id) is what ledger entries reference.
ALTER TABLE blocks DROP CONSTRAINT blocks_height_nonce_key;
ALTER TABLE blocks ADD CONSTRAINT blocks_pool_height_nonce_key UNIQUE (pool_id, height, nonce);
ALTER TABLE blocks ADD CONSTRAINT blocks_id_pool_key UNIQUE (id, pool_id);
DROP INDEX blocks_pending_idx;
DROP INDEX blocks_created_at_idx;
DROP INDEX blocks_miner_idx;
CREATE INDEX blocks_pending_idx ON blocks (pool_id, height) WHERE status = 'pending';
CREATE INDEX blocks_created_at_idx ON blocks (pool_id, created_at);
CREATE INDEX blocks_miner_idx ON blocks (pool_id, miner_address, created_at);

-- Payments: UNIQUE (id, pool_id) is what ledger entries reference; the payout run's open list per pool.
ALTER TABLE payments ADD CONSTRAINT payments_id_pool_key UNIQUE (id, pool_id);
DROP INDEX payments_open_idx;
CREATE INDEX payments_open_idx ON payments (pool_id, created_at) WHERE status IN ('planned', 'in_flight', 'sent');

-- Ledger entries: their block and payment are of their own pool (the single-column keys they replace are
-- implied by these); an idempotency key is unique within its pool.
ALTER TABLE ledger_entries DROP CONSTRAINT ledger_entries_block_id_fkey;
ALTER TABLE ledger_entries DROP CONSTRAINT ledger_entries_payment_id_fkey;
ALTER TABLE ledger_entries DROP CONSTRAINT ledger_entries_idempotency_key_key;
ALTER TABLE ledger_entries ADD CONSTRAINT ledger_entries_block_pool_fkey
  FOREIGN KEY (block_id, pool_id) REFERENCES blocks (id, pool_id);
ALTER TABLE ledger_entries ADD CONSTRAINT ledger_entries_payment_pool_fkey
  FOREIGN KEY (payment_id, pool_id) REFERENCES payments (id, pool_id);
ALTER TABLE ledger_entries ADD CONSTRAINT ledger_entries_idempotency_key_key UNIQUE (pool_id, idempotency_key);
DROP INDEX ledger_entries_address_idx;
CREATE INDEX ledger_entries_address_idx ON ledger_entries (pool_id, address, created_at);

-- Balances and settings: one row per pool and address.
ALTER TABLE balances DROP CONSTRAINT balances_pkey;
ALTER TABLE balances ADD PRIMARY KEY (pool_id, address);
DROP INDEX balances_payable_idx;
CREATE INDEX balances_payable_idx ON balances (pool_id, address) WHERE payable > 0;
ALTER TABLE miner_settings DROP CONSTRAINT miner_settings_pkey;
ALTER TABLE miner_settings ADD PRIMARY KEY (pool_id, address);

-- Statistics: one pool's samples never mix with another's.
ALTER TABLE pool_stats DROP CONSTRAINT pool_stats_pkey;
ALTER TABLE pool_stats ADD PRIMARY KEY (pool_id, sampled_at, instance);
ALTER TABLE miner_stats DROP CONSTRAINT miner_stats_pkey;
ALTER TABLE miner_stats ADD PRIMARY KEY (pool_id, address, worker, sampled_at);
DROP INDEX miner_stats_sampled_at_idx;
DROP INDEX miner_stats_worker_time_idx;
CREATE INDEX miner_stats_sampled_at_idx ON miner_stats (pool_id, sampled_at);
CREATE INDEX miner_stats_worker_time_idx ON miner_stats (pool_id, address, sampled_at);
ALTER TABLE miner_stats_hourly DROP CONSTRAINT miner_stats_hourly_pkey;
ALTER TABLE miner_stats_hourly ADD PRIMARY KEY (pool_id, address, worker, hour_end);
DROP INDEX miner_stats_hourly_hour_idx;
CREATE INDEX miner_stats_hourly_hour_idx ON miner_stats_hourly (pool_id, hour_end);
ALTER TABLE share_rejections DROP CONSTRAINT share_rejections_pkey;
ALTER TABLE share_rejections ADD PRIMARY KEY (pool_id, bucket_at, instance, address, worker);
DROP INDEX share_rejections_address_idx;
CREATE INDEX share_rejections_address_idx ON share_rejections (pool_id, address, bucket_at);

-- Each pool's jobs keep their own positions (the PPS period, the stats cursor and snapshot).
ALTER TABLE pool_cursors DROP CONSTRAINT pool_cursors_pkey;
ALTER TABLE pool_cursors ADD PRIMARY KEY (pool_id, name);

-- Events are delivered per pool.
DROP INDEX pool_events_pending_idx;
CREATE INDEX pool_events_pending_idx ON pool_events (pool_id, id) WHERE delivered_at IS NULL;

-- A new entry moves the balances of its own pool's address; its block (of the same pool, by the foreign
-- key) is locked FOR SHARE as before, so a concurrent status change waits or is waited for.
CREATE OR REPLACE FUNCTION ledger_entries_apply() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  block_status text;
  d_immature   bigint := 0;
  d_payable    bigint := 0;
  d_paid       bigint := 0;
BEGIN
  IF NEW.block_id IS NULL THEN
    d_payable := NEW.amount;
  ELSE
    SELECT status INTO block_status FROM blocks
     WHERE id = NEW.block_id AND pool_id = NEW.pool_id FOR SHARE;
    IF block_status = 'pending' THEN
      d_immature := NEW.amount;
    ELSIF block_status = 'confirmed' THEN
      d_payable := NEW.amount;
    END IF;                                   -- orphaned: void
  END IF;
  IF NEW.kind IN ('payout', 'payout_reversal') THEN
    d_paid := -NEW.amount;
  END IF;
  PERFORM set_config('enigmapool.balances_writer', 'ledger', true);
  INSERT INTO balances AS b (pool_id, address, immature, payable, paid)
    VALUES (NEW.pool_id, NEW.address, d_immature, d_payable, d_paid)
    ON CONFLICT (pool_id, address) DO UPDATE
      SET immature = b.immature + EXCLUDED.immature,
          payable = b.payable + EXCLUDED.payable,
          paid = b.paid + EXCLUDED.paid,
          updated_at = now();
  PERFORM set_config('enigmapool.balances_writer', '', true);
  RETURN NULL;
END
$$;

-- A block's status change moves its entries (all of its own pool) between that pool's buckets.
CREATE OR REPLACE FUNCTION blocks_move_balances() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM set_config('enigmapool.balances_writer', 'ledger', true);
  INSERT INTO balances AS b (pool_id, address, immature, payable, paid)
    SELECT NEW.pool_id, e.address,
           (CASE WHEN NEW.status = 'pending' THEN sum(e.amount) ELSE 0 END)
             - (CASE WHEN OLD.status = 'pending' THEN sum(e.amount) ELSE 0 END),
           (CASE WHEN NEW.status = 'confirmed' THEN sum(e.amount) ELSE 0 END)
             - (CASE WHEN OLD.status = 'confirmed' THEN sum(e.amount) ELSE 0 END),
           0
      FROM ledger_entries e
     WHERE e.block_id = NEW.id AND e.pool_id = NEW.pool_id
     GROUP BY e.address
    ON CONFLICT (pool_id, address) DO UPDATE
      SET immature = b.immature + EXCLUDED.immature,
          payable = b.payable + EXCLUDED.payable,
          updated_at = now();
  PERFORM set_config('enigmapool.balances_writer', '', true);
  RETURN NULL;
END
$$;

-- Balances recomputed from the ledger alone, per pool and address: must equal `balances` row for row.
DROP VIEW balances_from_ledger;
CREATE VIEW balances_from_ledger AS
SELECT e.pool_id,
       e.address,
       coalesce(sum(e.amount) FILTER (WHERE b.status = 'pending'), 0)::bigint AS immature,
       coalesce(sum(e.amount) FILTER (WHERE e.block_id IS NULL OR b.status = 'confirmed'), 0)::bigint AS payable,
       coalesce(-sum(e.amount) FILTER (WHERE e.kind IN ('payout', 'payout_reversal')), 0)::bigint AS paid
  FROM ledger_entries e
  LEFT JOIN blocks b ON b.id = e.block_id AND b.pool_id = e.pool_id
 GROUP BY e.pool_id, e.address;

-- Events carry the pool of their block or payment.
CREATE OR REPLACE FUNCTION pool_events_from_blocks() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO pool_events (pool_id, kind, block_id) VALUES (NEW.pool_id, 'block.found', NEW.id);
  ELSIF NEW.status IS DISTINCT FROM OLD.status AND NEW.status IN ('confirmed', 'orphaned') THEN
    INSERT INTO pool_events (pool_id, kind, block_id) VALUES (NEW.pool_id, 'block.' || NEW.status, NEW.id);
  ELSIF NEW.status = 'pending' AND NEW.confirmations IS DISTINCT FROM OLD.confirmations THEN
    INSERT INTO pool_events (pool_id, kind, block_id) VALUES (NEW.pool_id, 'block.progress', NEW.id);
  END IF;
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION pool_events_from_payments() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status IS DISTINCT FROM OLD.status AND NEW.status IN ('sent', 'failed', 'confirmed') THEN
    INSERT INTO pool_events (pool_id, kind, payment_id) VALUES (NEW.pool_id, 'payment.' || NEW.status, NEW.id);
  END IF;
  RETURN NULL;
END
$$;
