-- 0007 accepted by: which nodes took each block.
--
-- A block solution goes to every healthy node at once; the API shows which of them accepted it (HTTP 200),
-- including nodes that only answered a later resubmission. Null for rows written before this migration.
ALTER TABLE blocks ADD COLUMN accepted_by text[];
