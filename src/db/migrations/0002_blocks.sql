-- 0002 blocks: every block the pool found, tracked until confirmed or orphaned.
--
-- Recorded `pending` by the share pipeline when a block candidate is accepted by a node; the block lifecycle
-- in src/accounting moves it to `confirmed` (our header on the best chain, `required_confirmations` deep) or
-- `orphaned` (the height is well past without our header). Ledger credits linked to a block mature with it
-- (see 0003). Money is integer nanoERG in bigint columns.

CREATE TABLE blocks (
  id                     bigserial     PRIMARY KEY,
  height                 integer       NOT NULL CHECK (height > 0),
  nonce                  text          NOT NULL,            -- full 8-byte nonce, hex, as submitted
  header_id              text          UNIQUE,              -- the block (header) id, once known
  miner_address          text          COLLATE "C" NOT NULL, -- finder's payout address
  worker                 text          COLLATE "C" NOT NULL DEFAULT '',
  share_id               uuid,                              -- shares.id of the finding share (no FK: the block
                                                            -- row may land before the share row)
  instance               text          NOT NULL DEFAULT '',
  status                 text          NOT NULL DEFAULT 'pending'
                                       CHECK (status IN ('pending', 'confirmed', 'orphaned')),
  confirmations          integer       NOT NULL DEFAULT 0 CHECK (confirmations >= 0),
  required_confirmations integer       NOT NULL DEFAULT 720 CHECK (required_confirmations > 0),
  network_difficulty     numeric(78,0) NOT NULL CHECK (network_difficulty > 0),
  -- Effort: Σ expected hashes of the round's shares ÷ network difficulty (1 = 100 %); recorded when found.
  round_hashes           numeric(78,0) CHECK (round_hashes >= 0),
  effort                 numeric       CHECK (effort >= 0),
  -- Reward, read from the chain once the block is on it (null until then), in nanoERG:
  -- reward = reward_emission + reward_fees - reward_reemission (what the pool may distribute).
  reward                 bigint        CHECK (reward >= 0),
  reward_emission        bigint        CHECK (reward_emission >= 0),   -- the emission (coinbase) box(es)
  reward_fees            bigint        CHECK (reward_fees >= 0),       -- the fee box
  reward_reemission      bigint        CHECK (reward_reemission >= 0), -- EIP-27 re-emission tokens carried
  reward_details         jsonb,                                        -- box ids, token amounts… for audits
  -- Crediting: the share window the block's credits were computed from, and when they were written to the
  -- ledger. Retention keeps every share from window_start on while a block is pending or uncredited.
  scheme                 text,                                         -- 'pplns' | 'pps' | 'solo' | 'prop'
  window_start           timestamptz,
  window_end             timestamptz,
  credited_at            timestamptz,
  created_at             timestamptz   NOT NULL DEFAULT now(),         -- when found
  checked_at             timestamptz,                                  -- last lifecycle check
  confirmed_at           timestamptz,
  orphaned_at            timestamptz,
  last_error             text,                                         -- last transient error while checking
  UNIQUE (height, nonce),
  CHECK (window_start IS NULL OR window_end IS NULL OR window_start <= window_end),
  CHECK (reward IS NULL OR reward_emission IS NULL OR reward_fees IS NULL OR reward_reemission IS NULL
         OR reward = reward_emission + reward_fees - reward_reemission)
);

-- The lifecycle's work list.
CREATE INDEX blocks_pending_idx ON blocks (height) WHERE status = 'pending';
-- Listings: newest first, and per miner.
CREATE INDEX blocks_created_at_idx ON blocks (created_at);
CREATE INDEX blocks_miner_idx ON blocks (miner_address, created_at);

-- Status times are stamped when the status changes and the caller did not set them.
CREATE FUNCTION blocks_stamp_status() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status = 'confirmed' AND OLD.status <> 'confirmed' AND NEW.confirmed_at IS NULL THEN
    NEW.confirmed_at := now();
  ELSIF NEW.status = 'orphaned' AND OLD.status <> 'orphaned' AND NEW.orphaned_at IS NULL THEN
    NEW.orphaned_at := now();
  END IF;
  RETURN NEW;
END
$$;

CREATE TRIGGER blocks_stamp_status BEFORE UPDATE OF status ON blocks
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION blocks_stamp_status();
