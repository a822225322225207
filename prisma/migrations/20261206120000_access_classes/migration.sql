-- The access log records what was disclosed (issue 12): the sensitive classes of each record (ID_NUMBER,
-- DIAGNOSIS, DISABILITY, INCOME, CONTACT, ...; src/policy/classes.ts), derived from the operation's read and
-- masked field coordinates, hashed into the chain with the rest of the record, and searchable
-- (accessLog(filter: { class: ID_NUMBER })). Records already in the log keep NULL: they were hashed
-- without the field and verify as written. (ADD COLUMN without a default rewrites no row and fires no row trigger.)
ALTER TABLE "audit_log" ADD COLUMN "classes" JSONB;

-- CreateIndex
CREATE INDEX "audit_log_classes_idx" ON "audit_log" USING GIN ("classes");
