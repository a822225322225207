-- A group commit's append on PostgreSQL as one prepared statement (src/audit/writer.ts writeOnKnownHead): the chain
-- lock, the head read after it, and — only if the head is still the one the records were chained to — the records and
-- their signed head, in one call. The same steps as the script it replaces (BEGIN; the lock; one statement; COMMIT):
-- the call is its own transaction (the lock is held until it commits), and the head is read by a statement of its
-- own after the lock is granted (a VOLATILE function's statements each take a new snapshot, so it sees every append
-- committed before). Prepared once per connection, its statements planned once: the script was parsed and planned
-- on every commit. Runs with the caller's rights (SELECT, INSERT on the audit tables).
CREATE FUNCTION "audit_append_if_head"(p_expected_seq bigint, p_expected_hash text, p_records jsonb, p_head jsonb)
RETURNS TABLE (seq text, records int) LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
DECLARE
  head_seq bigint;
  head_hash text;
  inserted int;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext(current_schema() || '.audit_log'));
  SELECT l.seq, l.hash INTO head_seq, head_hash FROM audit_log l ORDER BY l.seq DESC LIMIT 1;
  IF p_expected_seq = 0 THEN
    IF head_seq IS NOT NULL THEN RETURN; END IF;
  ELSIF head_seq IS DISTINCT FROM p_expected_seq OR head_hash IS DISTINCT FROM p_expected_hash THEN
    RETURN;
  END IF;
  INSERT INTO audit_log SELECT * FROM jsonb_populate_recordset(NULL::audit_log, p_records);
  GET DIAGNOSTICS inserted = ROW_COUNT;
  INSERT INTO audit_head SELECT * FROM jsonb_populate_record(NULL::audit_head, p_head);
  RETURN QUERY SELECT p_head->>'seq', inserted;
END
$$;
