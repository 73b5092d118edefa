-- 0001 shares: one row per share the pool acknowledged.
--
-- Written by the share pipeline (src/shares: journal → shipper, idempotent by id), read by accounting (PPLNS and
-- PROP windows, PPS credits, block effort), stats and audits. The table name `shares` is a contract: acceptance
-- checks count its rows.
--
-- Units: `difficulty` is share difficulty in pool units (exact decimal, see README "Units");
-- `expected_hashes`, `network_difficulty` and `hit` are integers that outgrow 64 bits (a hit is 256 bits, 78
-- decimal digits), so numeric(78,0): exact, comparable in SQL (hit < b), returned as decimal strings.
--
-- Collation: address and worker columns (here and in the other tables) are COLLATE "C": byte order, the same
-- in PGlite and on a server of any locale, so ORDER BY address (deterministic remainder rules) has one answer.
--
-- Retention: pruning (not partitioning), by pruneShares() in src/db/retention.ts — see there and
-- src/db/README.md for what is kept. Partitioning was not chosen because it would force the partition key
-- into the primary key, and `id` alone must stay the idempotency key.

CREATE TABLE shares (
  id                 uuid          PRIMARY KEY,             -- assigned before the acknowledgement; idempotency key
  address            text          COLLATE "C" NOT NULL,    -- the miner's payout address
  worker             text          COLLATE "C" NOT NULL DEFAULT '',
  difficulty         numeric       NOT NULL CHECK (difficulty > 0),
  expected_hashes    numeric(78,0) NOT NULL CHECK (expected_hashes > 0),  -- floor(2^256 / share target)
  job_id             text          NOT NULL,
  height             integer       NOT NULL CHECK (height > 0),
  network_difficulty numeric(78,0) NOT NULL CHECK (network_difficulty > 0), -- node units, at this job
  client_address     text          NOT NULL DEFAULT '',     -- the miner's IP (after PROXY protocol)
  user_agent         text          NOT NULL DEFAULT '',
  nonce              text          NOT NULL,                -- full 8-byte nonce, hex
  hit                numeric(78,0) NOT NULL CHECK (hit >= 0), -- Autolykos v2 hit of the nonce
  created_at         timestamptz   NOT NULL,                -- share time: when the pool accepted it
  instance           text          NOT NULL DEFAULT '',     -- which pool instance accepted it
  is_block           boolean       NOT NULL DEFAULT false,  -- hit < b: a block candidate
  block_accepted     boolean       NOT NULL DEFAULT false,  -- for candidates: a node accepted the block
  stored_at          timestamptz   NOT NULL DEFAULT now()   -- when the row landed (shipper lag, replay audits)
);

-- PPLNS windows (newest first, backwards from a block's time), PROP rounds and block effort (shares between
-- two times): one b-tree on share time, scanned in either direction; id breaks ties so every window is
-- deterministic: ORDER BY created_at DESC, id DESC.
CREATE INDEX shares_created_at_idx ON shares (created_at, id);

-- Per-miner statistics over time (hashrate, share counts, a miner's page).
CREATE INDEX shares_address_created_at_idx ON shares (address, created_at);

-- Block candidates are few and always kept; audits and effort read them directly.
CREATE INDEX shares_block_candidates_idx ON shares (created_at) WHERE is_block;

-- Shares that must survive pruning for a subsystem: "keep every share with created_at >= keep_from".
-- PPS crediting keeps its oldest uncredited share time here, a stats aggregator its cursor, an operator an
-- audit window. pruneShares() never deletes at or after the earliest hold.
CREATE TABLE share_retention_holds (
  name       text        PRIMARY KEY,          -- e.g. 'pps', 'stats', 'audit-2024-q1'
  keep_from  timestamptz NOT NULL,
  reason     text        NOT NULL DEFAULT '',
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Per pool instance: every share it accepted with created_at <= complete_until is in `shares` (its journal is
-- shipped up to there). Accounting reads min(complete_until) over live instances before closing a PPLNS
-- window or a PPS period, so shares replayed after a database outage are never missed.
CREATE TABLE share_ingest_progress (
  instance       text        PRIMARY KEY,
  complete_until timestamptz NOT NULL,
  updated_at     timestamptz NOT NULL DEFAULT now()
);
