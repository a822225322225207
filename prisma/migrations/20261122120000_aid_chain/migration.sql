-- Aid chain and early-warning alerts (issue 5, parts 4–6).
--
-- aid_record.district_code: the paying district when another district paid (a payment for a person who
-- moved and was not taken off the old district's roll: the aid chain's CROSS_DISTRICT duplicate). NULL
-- means the household's own district, so every existing row keeps its meaning.
--
-- alert_action: what was done about a computed alert (acknowledge, push to a department, resolve), keyed
-- by the alert's stable key, with who did it (the JWT principal's subject and audience).

-- CreateEnum
CREATE TYPE "AlertActionKind" AS ENUM ('ACKNOWLEDGE', 'PUSH', 'RESOLVE');

-- AlterTable
ALTER TABLE "aid_record" ADD COLUMN "district_code" VARCHAR(6);

-- CreateTable
CREATE TABLE "alert_action" (
    "id" UUID NOT NULL,
    "household_id" UUID NOT NULL,
    "alert_key" VARCHAR(200) NOT NULL,
    "action" "AlertActionKind" NOT NULL,
    "department" VARCHAR(32),
    "note" TEXT,
    "actor_subject" VARCHAR(200) NOT NULL,
    "actor_audience" VARCHAR(32) NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "alert_action_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "alert_action_household_id_alert_key_at_idx" ON "alert_action"("household_id", "alert_key", "at");

-- AddForeignKey
ALTER TABLE "alert_action" ADD CONSTRAINT "alert_action_household_id_fkey" FOREIGN KEY ("household_id") REFERENCES "household"("id") ON DELETE CASCADE ON UPDATE CASCADE;
