-- Temporary assistance 临时救助 (issue 13 point 7, 003 §5): applications and their decisions, so a refused
-- applicant stays in the monitoring database for MONITORING_RETENTION_YEARS from the decision.

-- CreateEnum
CREATE TYPE "TemporaryAidKind" AS ENUM ('EMERGENCY', 'EXPENDITURE');

-- CreateEnum
CREATE TYPE "TemporaryAidStatus" AS ENUM ('APPLIED', 'GRANTED', 'REFUSED');

-- CreateTable
CREATE TABLE "temporary_aid_application" (
    "id" UUID NOT NULL,
    "household_id" UUID NOT NULL,
    "person_id" UUID,
    "kind" "TemporaryAidKind" NOT NULL,
    "applied_on" DATE NOT NULL,
    "status" "TemporaryAidStatus" NOT NULL DEFAULT 'APPLIED',
    "decided_on" DATE,
    "amount_fen" INTEGER,
    "reason" VARCHAR(200),
    "recorded_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "temporary_aid_application_pkey" PRIMARY KEY ("id"),
    -- what validation guarantees, held by the table too: a decision has its day, on or after the application;
    -- an amount only on a grant, never negative
    CONSTRAINT "temporary_aid_application_decision_check" CHECK (("status" = 'APPLIED') = ("decided_on" IS NULL)),
    CONSTRAINT "temporary_aid_application_dates_check" CHECK ("decided_on" IS NULL OR "decided_on" >= "applied_on"),
    CONSTRAINT "temporary_aid_application_amount_check" CHECK ("amount_fen" IS NULL OR ("status" = 'GRANTED' AND "amount_fen" >= 0))
);

-- CreateIndex
CREATE INDEX "temporary_aid_application_household_id_applied_on_idx" ON "temporary_aid_application"("household_id", "applied_on");

-- CreateIndex
CREATE INDEX "temporary_aid_application_status_decided_on_idx" ON "temporary_aid_application"("status", "decided_on");

-- AddForeignKey
ALTER TABLE "temporary_aid_application" ADD CONSTRAINT "temporary_aid_application_household_id_fkey" FOREIGN KEY ("household_id") REFERENCES "household"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "temporary_aid_application" ADD CONSTRAINT "temporary_aid_application_person_id_fkey" FOREIGN KEY ("person_id") REFERENCES "person"("id") ON DELETE SET NULL ON UPDATE CASCADE;
