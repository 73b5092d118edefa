-- 0005 block source: where each block candidate's work came from.
--
-- A pool with several nodes takes work from whichever is best; a block is the pool's only if its candidate
-- paid the pool's reward key. Every block row records the node whose candidate was solved and the key that
-- candidate paid (null for rows written before this migration), so an audit can tell which node's work found
-- it and whether it paid the pool.
ALTER TABLE blocks ADD COLUMN source_node text;
ALTER TABLE blocks ADD COLUMN source_pk text;
