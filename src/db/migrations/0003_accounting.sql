-- 0003 accounting: payments, the ledger, balances derived from it, miner settings.
--
-- Every credit and debit is one append-only row of ledger_entries in signed integer nanoERG. `balances` is
-- maintained from the ledger by triggers in the same transaction as the entry (never written by application
-- code: a direct write is refused), so these hold at every commit, per address:
--   immature = Σ entries linked to a pending block
--   payable  = Σ entries without a block + Σ entries linked to a confirmed block  (payouts are negative here)
--   paid     = −Σ payout and payout_reversal entries                                 (in flight, sent or confirmed)
--   immature + payable + paid = Σ credits (every non-payout entry whose block is not orphaned)
-- Entries linked to an orphaned block are void: they count in no bucket. The view balances_from_ledger
-- recomputes the same from scratch (checkBalances() compares them).

-- Payments: one wallet transaction paying several miners. Crash-safe order (src/accounting): insert the
-- payment 'planned' with its outputs and their 'payout' ledger entries (balances debited) in one
-- transaction; mark it 'in_flight' (attempts + 1) just before /wallet/payment/send; record tx_id as 'sent';
-- 'confirmed' once deep enough. An 'in_flight' payment found at start is reconciled against the wallet's
-- transactions by its outputs (`request` holds exactly what was sent) before anything is retried. A payment
-- that definitively failed is 'failed' and its debits are reversed with 'payout_reversal' entries.
CREATE TABLE payments (
  id              bigserial   PRIMARY KEY,
  status          text        NOT NULL DEFAULT 'planned'
                              CHECK (status IN ('planned', 'in_flight', 'sent', 'confirmed', 'failed')),
  tx_id           text        UNIQUE,                      -- the wallet transaction id, once known
  fee             bigint      CHECK (fee >= 0),            -- transaction fee, nanoERG (paid by the pool wallet)
  request         jsonb,                                   -- the /wallet/payment/send body, for reconciliation
  attempts        integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  last_attempt_at timestamptz,
  last_error      text,
  instance        text        NOT NULL DEFAULT '',
  confirmations   integer     NOT NULL DEFAULT 0 CHECK (confirmations >= 0),
  created_at      timestamptz NOT NULL DEFAULT now(),
  sent_at         timestamptz,
  confirmed_at    timestamptz,
  failed_at       timestamptz,
  updated_at      timestamptz NOT NULL DEFAULT now(),
  CHECK (status NOT IN ('sent', 'confirmed') OR tx_id IS NOT NULL)
);

CREATE INDEX payments_open_idx ON payments (created_at) WHERE status IN ('planned', 'in_flight', 'sent');

CREATE TABLE payment_outputs (
  payment_id bigint NOT NULL REFERENCES payments (id),
  address    text   COLLATE "C" NOT NULL,
  amount     bigint NOT NULL CHECK (amount > 0),          -- nanoERG the address receives
  PRIMARY KEY (payment_id, address)
);

CREATE INDEX payment_outputs_address_idx ON payment_outputs (address);

CREATE TABLE ledger_entries (
  id              bigserial   PRIMARY KEY,
  address         text        COLLATE "C" NOT NULL,
  amount          bigint      NOT NULL,                    -- signed nanoERG: credits > 0, payouts < 0
  kind            text        NOT NULL CHECK (kind IN ('block_credit', 'pps_credit', 'fee', 'payout',
                                                       'adjustment', 'payout_reversal')),
  -- Matures with this block: immature while it is pending, payable once confirmed, void if orphaned.
  -- Null: payable at once (PPS credits, adjustments, payouts).
  block_id        bigint      REFERENCES blocks (id),
  payment_id      bigint      REFERENCES payments (id),
  reason          text        NOT NULL,                    -- human-readable: why this amount
  details         jsonb,                                   -- e.g. share window, weight, PPS period and rate
  idempotency_key text        UNIQUE,                      -- optional: the same key is never credited twice
  created_at      timestamptz NOT NULL DEFAULT now(),
  CHECK (kind <> 'block_credit' OR block_id IS NOT NULL),
  CHECK (kind NOT IN ('payout', 'payout_reversal') OR (payment_id IS NOT NULL AND block_id IS NULL)),
  CHECK (kind <> 'payout' OR amount < 0),
  CHECK (kind <> 'payout_reversal' OR amount > 0)
);

CREATE INDEX ledger_entries_address_idx ON ledger_entries (address, created_at);
CREATE INDEX ledger_entries_block_idx ON ledger_entries (block_id) WHERE block_id IS NOT NULL;
CREATE INDEX ledger_entries_payment_idx ON ledger_entries (payment_id) WHERE payment_id IS NOT NULL;
-- A block's credits and fees are written once per address (a retried crediting run cannot double them).
CREATE UNIQUE INDEX ledger_entries_block_once_idx ON ledger_entries (block_id, address, kind)
  WHERE kind IN ('block_credit', 'fee') AND block_id IS NOT NULL;

CREATE TABLE balances (
  address    text        COLLATE "C" PRIMARY KEY,
  immature   bigint      NOT NULL DEFAULT 0,
  payable    bigint      NOT NULL DEFAULT 0,
  paid       bigint      NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- The payout run's work list.
CREATE INDEX balances_payable_idx ON balances (payable) WHERE payable > 0;

CREATE TABLE miner_settings (
  address             text        COLLATE "C" PRIMARY KEY,
  payout_threshold    bigint      CHECK (payout_threshold > 0), -- nanoERG; null: the pool's minimum
  payouts_held_reason text,        -- set when the address cannot be paid (e.g. invalid); payouts skip it
  payouts_held_at     timestamptz,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now()
);

-- Ledger entries are facts: corrections are new entries (adjustment, payout_reversal), never edits.
CREATE FUNCTION ledger_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'ledger_entries is append-only: record a correcting entry (adjustment or payout_reversal)'
    USING ERRCODE = 'restrict_violation';
END
$$;

CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries
  FOR EACH ROW EXECUTE FUNCTION ledger_entries_append_only();

-- Only the ledger triggers below write balances (they set enigmapool.balances_writer for their statement).
-- To restore a dump, disable triggers (session_replication_role = replica).
CREATE FUNCTION balances_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF coalesce(current_setting('enigmapool.balances_writer', true), '') <> 'ledger' THEN
    RAISE EXCEPTION 'balances is maintained from ledger_entries: insert a ledger entry instead'
      USING ERRCODE = 'restrict_violation';
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  RETURN NEW;
END
$$;

CREATE TRIGGER balances_guard BEFORE INSERT OR UPDATE OR DELETE ON balances
  FOR EACH ROW EXECUTE FUNCTION balances_guard();

-- A new entry moves its address's balances. The block row is locked FOR SHARE so a concurrent status change
-- waits for this transaction (and then moves this entry too), or this waits for it and sees the new status.
CREATE FUNCTION ledger_entries_apply() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  block_status text;
  d_immature   bigint := 0;
  d_payable    bigint := 0;
  d_paid       bigint := 0;
BEGIN
  IF NEW.block_id IS NULL THEN
    d_payable := NEW.amount;
  ELSE
    SELECT status INTO block_status FROM blocks WHERE id = NEW.block_id FOR SHARE;
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
  INSERT INTO balances AS b (address, immature, payable, paid)
    VALUES (NEW.address, d_immature, d_payable, d_paid)
    ON CONFLICT (address) DO UPDATE
      SET immature = b.immature + EXCLUDED.immature,
          payable = b.payable + EXCLUDED.payable,
          paid = b.paid + EXCLUDED.paid,
          updated_at = now();
  PERFORM set_config('enigmapool.balances_writer', '', true);
  RETURN NULL;
END
$$;

CREATE TRIGGER ledger_entries_apply AFTER INSERT ON ledger_entries
  FOR EACH ROW EXECUTE FUNCTION ledger_entries_apply();

-- A block's status change moves its entries between buckets: pending → immature, confirmed → payable,
-- orphaned → none. Any transition is handled (a reorg after confirmation takes the credits back out).
CREATE FUNCTION blocks_move_balances() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM set_config('enigmapool.balances_writer', 'ledger', true);
  INSERT INTO balances AS b (address, immature, payable, paid)
    SELECT e.address,
           (CASE WHEN NEW.status = 'pending' THEN sum(e.amount) ELSE 0 END)
             - (CASE WHEN OLD.status = 'pending' THEN sum(e.amount) ELSE 0 END),
           (CASE WHEN NEW.status = 'confirmed' THEN sum(e.amount) ELSE 0 END)
             - (CASE WHEN OLD.status = 'confirmed' THEN sum(e.amount) ELSE 0 END),
           0
      FROM ledger_entries e
     WHERE e.block_id = NEW.id
     GROUP BY e.address
    ON CONFLICT (address) DO UPDATE
      SET immature = b.immature + EXCLUDED.immature,
          payable = b.payable + EXCLUDED.payable,
          updated_at = now();
  PERFORM set_config('enigmapool.balances_writer', '', true);
  RETURN NULL;
END
$$;

CREATE TRIGGER blocks_move_balances AFTER UPDATE OF status ON blocks
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION blocks_move_balances();

-- Balances recomputed from the ledger alone: must equal `balances` row for row.
CREATE VIEW balances_from_ledger AS
SELECT e.address,
       coalesce(sum(e.amount) FILTER (WHERE b.status = 'pending'), 0)::bigint AS immature,
       coalesce(sum(e.amount) FILTER (WHERE e.block_id IS NULL OR b.status = 'confirmed'), 0)::bigint AS payable,
       coalesce(-sum(e.amount) FILTER (WHERE e.kind IN ('payout', 'payout_reversal')), 0)::bigint AS paid
  FROM ledger_entries e
  LEFT JOIN blocks b ON b.id = e.block_id
 GROUP BY e.address;
