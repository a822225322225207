-- Lead discovery that writes only what changed, and incremental runs planned by index (issue 16,
-- src/features/monitoring/leads.ts, runs.ts).
-- A lead is current until a run no longer finds it: `gone_run` / `gone_at` say which run that was (NULL: current,
-- so the latest finished run found it). `last_seen_run` / `last_seen_at` hold the last run that wrote the lead (found
-- it first, with changed evidence, or back after it had gone) and, once it has gone, the last run that found it.
ALTER TABLE "monitoring_lead" ADD COLUMN "gone_run" UUID,
ADD COLUMN "gone_at" TIMESTAMPTZ(3);

-- Until now a lead was current when the latest finished run had seen it: every other lead has gone.
UPDATE "monitoring_lead" l SET "gone_run" = r."id", "gone_at" = r."finished_at"
FROM (SELECT "id", "finished_at" FROM "monitoring_run" WHERE "status" IN ('SUCCEEDED', 'PARTIAL') ORDER BY "started_at" DESC, "id" DESC LIMIT 1) r
WHERE l."last_seen_run" <> r."id";

-- The department records that make a lead (the rules' conditions, word for word as leads.ts writes them), so that
-- discovery reads those few rows instead of every mirrored record. The conditions never raise an error on a value
-- of an unexpected type (they compare JSON values), so no record can fail a sync through them.
CREATE INDEX "mirror_education_hardship_lead_idx" ON "mirror_education" ("id_number") WHERE (record -> 'hardshipStudent') = 'true'::jsonb;
CREATE INDEX "mirror_education_spending_lead_idx" ON "mirror_education" ("id_number") WHERE jsonb_typeof(record -> 'necessaryExpenseFen') = 'number' AND (record -> 'necessaryExpenseFen') >= '1000000'::jsonb;
CREATE INDEX "mirror_employment_unemployed_lead_idx" ON "mirror_employment" ("id_number") WHERE (record ->> 'status') = 'UNEMPLOYED_REGISTERED';
CREATE INDEX "mirror_medical_insurance_disease_lead_idx" ON "mirror_medical_insurance" ("id_number") WHERE jsonb_typeof(record -> 'seriousDisease') = 'string';
CREATE INDEX "mirror_medical_insurance_spending_lead_idx" ON "mirror_medical_insurance" ("id_number") WHERE jsonb_typeof(record -> 'outOfPocketFen') = 'number' AND (record -> 'outOfPocketFen') >= '5000000'::jsonb;
CREATE INDEX "mirror_disability_severe_lead_idx" ON "mirror_disability" ("id_number") WHERE (record -> 'severe') = 'true'::jsonb;

-- What changed since the previous run, found by index (an incremental run's plan and its lead candidates):
-- the registry households updated and the mirrored records synced from the previous run's start on.
CREATE INDEX "household_updated_at_idx" ON "household"("updated_at");
CREATE INDEX "mirror_education_synced_at_idx" ON "mirror_education"("synced_at");
CREATE INDEX "mirror_employment_synced_at_idx" ON "mirror_employment"("synced_at");
CREATE INDEX "mirror_housing_synced_at_idx" ON "mirror_housing"("synced_at");
CREATE INDEX "mirror_medical_insurance_synced_at_idx" ON "mirror_medical_insurance"("synced_at");
CREATE INDEX "mirror_disability_synced_at_idx" ON "mirror_disability"("synced_at");
