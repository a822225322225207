-- The access log and its signed checkpoints (issue 6, src/audit). Append-only: the triggers below refuse
-- UPDATE, DELETE and TRUNCATE for everyone; only a superuser or the owner disabling them
-- (ALTER TABLE ... DISABLE TRIGGER) can change a record, and `npm run audit:verify` then finds it.

-- AlterTable: the registry learns of deaths (audit findings: payments after death)
ALTER TABLE "person" ADD COLUMN "deceased_on" DATE;

-- CreateTable
CREATE TABLE "audit_log" (
    "seq" BIGINT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "request_id" VARCHAR(64) NOT NULL,
    "subject" VARCHAR(256) NOT NULL,
    "audience" VARCHAR(32) NOT NULL,
    "jurisdiction" TEXT NOT NULL,
    "purpose" TEXT,
    "charity_id" VARCHAR(64),
    "operation_type" VARCHAR(16) NOT NULL,
    "operation_name" TEXT,
    "document_hash" CHAR(64) NOT NULL,
    "variables_hash" CHAR(64) NOT NULL,
    "fields" JSONB NOT NULL,
    "household_ids" JSONB NOT NULL,
    "person_ids" JSONB NOT NULL,
    "outcome" VARCHAR(16) NOT NULL,
    "error_codes" JSONB NOT NULL,
    "changes" JSONB,
    "prev_hash" CHAR(64) NOT NULL,
    "hash" CHAR(64) NOT NULL,

    CONSTRAINT "audit_log_pkey" PRIMARY KEY ("seq")
);

-- CreateTable
CREATE TABLE "audit_checkpoint" (
    "seq" BIGINT NOT NULL,
    "head_hash" CHAR(64) NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "key_id" VARCHAR(32) NOT NULL,
    "signature" TEXT NOT NULL,

    CONSTRAINT "audit_checkpoint_pkey" PRIMARY KEY ("seq")
);

-- CreateIndex
CREATE UNIQUE INDEX "audit_log_hash_key" ON "audit_log"("hash");

-- CreateIndex
CREATE INDEX "audit_log_at_idx" ON "audit_log"("at");

-- CreateIndex
CREATE INDEX "audit_log_subject_at_idx" ON "audit_log"("subject", "at");

-- CreateIndex
CREATE INDEX "audit_log_household_ids_idx" ON "audit_log" USING GIN ("household_ids");

-- CreateIndex
CREATE INDEX "audit_log_person_ids_idx" ON "audit_log" USING GIN ("person_ids");

-- Append-only guard (not expressible in schema.prisma)
CREATE FUNCTION "audit_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER "audit_log_no_update_delete" BEFORE UPDATE OR DELETE ON "audit_log" FOR EACH ROW EXECUTE FUNCTION "audit_append_only"();
CREATE TRIGGER "audit_log_no_truncate" BEFORE TRUNCATE ON "audit_log" FOR EACH STATEMENT EXECUTE FUNCTION "audit_append_only"();
CREATE TRIGGER "audit_checkpoint_no_update_delete" BEFORE UPDATE OR DELETE ON "audit_checkpoint" FOR EACH ROW EXECUTE FUNCTION "audit_append_only"();
CREATE TRIGGER "audit_checkpoint_no_truncate" BEFORE TRUNCATE ON "audit_checkpoint" FOR EACH STATEMENT EXECUTE FUNCTION "audit_append_only"();

-- Privileges: nobody but the owner may even try (production: the gateway connects as a role that does not
-- own these tables and is granted SELECT, INSERT only — see README "Audit trail").
REVOKE UPDATE, DELETE, TRUNCATE ON "audit_log", "audit_checkpoint" FROM PUBLIC;
