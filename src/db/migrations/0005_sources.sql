-- 0005 sources: where each block's work came from, and which boxes each payment spent.
--
-- A pool with several nodes takes work from whichever is best; a block is the pool's only if its candidate
-- paid the pool's reward key. Every block row records the node whose candidate was solved and the key that
-- candidate paid (null for rows written before this migration).
ALTER TABLE blocks ADD COLUMN source_node text;
ALTER TABLE blocks ADD COLUMN source_pk text;

-- A sent payment whose transaction left every mempool without confirming is paid again only when that is
-- proven safe: another confirmed transaction spent one of its inputs. The input box ids are recorded as soon
-- as the transaction is seen (right after the send, or later in any node's mempool or the wallet).
ALTER TABLE payments ADD COLUMN tx_inputs text[];
