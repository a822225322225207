-- A tamper-evident tail for the access log (issue 11): the chain becomes keyed (HMAC-SHA-256 with a key
-- derived from the audit key) and every commit of records also writes a signed head (Ed25519), so the
-- newest records no longer wait up to AUDIT_CHECKPOINT_EVERY / AUDIT_CHECKPOINT_SECONDS for a signature.

-- AlterTable: how each record's hash was computed. Records already in the log keep version 1 (unkeyed
-- SHA-256, verifiable as written; the keyed records after them link to their hashes). The default only
-- fills those existing rows and is dropped at once: every new record states its version explicitly.
-- (ADD COLUMN with a constant default rewrites no row and fires no row trigger.)
ALTER TABLE "audit_log" ADD COLUMN "chain_version" INTEGER NOT NULL DEFAULT 1;
ALTER TABLE "audit_log" ALTER COLUMN "chain_version" DROP DEFAULT;

-- CreateTable: one signed head per commit of records: records first_seq..seq, the head's hash, a SHA-256
-- over those records' canonical content (so the public key alone can check them), time, key id.
CREATE TABLE "audit_head" (
    "seq" BIGINT NOT NULL,
    "first_seq" BIGINT NOT NULL,
    "head_hash" CHAR(64) NOT NULL,
    "records_hash" CHAR(64) NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "key_id" VARCHAR(32) NOT NULL,
    "signature" TEXT NOT NULL,

    CONSTRAINT "audit_head_pkey" PRIMARY KEY ("seq")
);

-- Append-only, like audit_log and audit_checkpoint (function from migration 20261122130000_audit)
CREATE TRIGGER "audit_head_no_update_delete" BEFORE UPDATE OR DELETE ON "audit_head" FOR EACH ROW EXECUTE FUNCTION "audit_append_only"();
CREATE TRIGGER "audit_head_no_truncate" BEFORE TRUNCATE ON "audit_head" FOR EACH STATEMENT EXECUTE FUNCTION "audit_append_only"();

REVOKE UPDATE, DELETE, TRUNCATE ON "audit_head" FROM PUBLIC;
