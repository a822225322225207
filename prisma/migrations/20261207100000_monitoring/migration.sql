-- City-scale monitoring (issue 16): runs over every registry household on a job engine (pg-boss, in its
-- own schema "pgboss", created by pg-boss itself), and their stored results.
--
-- monitoring_run      one row per run: mode, evaluation instant, shards done/failed/retried, counts by
--                     kind, the department sources that failed or were stale during the run.
-- monitoring_shard    one row per shard (a list of household ids): attempts, status, error, and the
--                     sources that failed or were stale while it was evaluated.
-- monitoring_alert    the alerts of each household as each audience view computes them (the view: the
--                     audiences with the same withheld sources and evidence visibility, see
--                     src/monitoring/views.ts), keyed by the alert's opaque key (the key alert_action
--                     rows carry), first and last seen, and resolved_at when a later run no longer saw
--                     the condition (never because a source failed or was stale, or a shard failed).
-- monitoring_finding  audit findings, keyed by their stable id, first/last seen, resolved_at likewise.
-- monitoring_household per household: the last run that evaluated it, the computed tier, the sources
--                     that failed or were stale, and the re-derived needs.
-- monitoring_lead     department-only persons (003 §2, §6): possibly eligible, not covered (class b).

CREATE TABLE "monitoring_run" (
    "id" UUID NOT NULL,
    "mode" VARCHAR(16) NOT NULL,
    "status" VARCHAR(16) NOT NULL,
    "as_of" TIMESTAMPTZ(3) NOT NULL,
    "registry_since" TIMESTAMPTZ(3),
    "department_since" TIMESTAMPTZ(3),
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),
    "households" INTEGER NOT NULL DEFAULT 0,
    "shards_total" INTEGER NOT NULL DEFAULT 0,
    "shards_done" INTEGER NOT NULL DEFAULT 0,
    "shards_failed" INTEGER NOT NULL DEFAULT 0,
    "shards_retried" INTEGER NOT NULL DEFAULT 0,
    "counts" JSONB NOT NULL DEFAULT '{}',
    "failed_sources" TEXT[],
    "stale_sources" TEXT[],
    CONSTRAINT "monitoring_run_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "monitoring_run_started_at_idx" ON "monitoring_run"("started_at");

CREATE TABLE "monitoring_shard" (
    "run_id" UUID NOT NULL,
    "shard_no" INTEGER NOT NULL,
    "household_ids" UUID[],
    "status" VARCHAR(16) NOT NULL DEFAULT 'QUEUED',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "failed_sources" TEXT[],
    "stale_sources" TEXT[],
    "finished_at" TIMESTAMPTZ(3),
    CONSTRAINT "monitoring_shard_pkey" PRIMARY KEY ("run_id", "shard_no")
);

CREATE TABLE "monitoring_alert" (
    "household_id" UUID NOT NULL,
    "view" VARCHAR(32) NOT NULL,
    "alert_key" VARCHAR(200) NOT NULL,
    "district_code" VARCHAR(6) NOT NULL,
    "street_code" VARCHAR(9) NOT NULL,
    "kind" VARCHAR(40) NOT NULL,
    "class" VARCHAR(24) NOT NULL,
    "severity" VARCHAR(8) NOT NULL,
    "department" VARCHAR(32) NOT NULL,
    "person_id" UUID,
    "message" TEXT NOT NULL,
    "reference" TEXT NOT NULL,
    "evidence" JSONB NOT NULL,
    "first_seen_run" UUID NOT NULL,
    "first_seen_at" TIMESTAMPTZ(3) NOT NULL,
    "last_seen_run" UUID NOT NULL,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL,
    "resolved_run" UUID,
    "resolved_at" TIMESTAMPTZ(3),
    CONSTRAINT "monitoring_alert_pkey" PRIMARY KEY ("view", "household_id", "alert_key")
);
-- the stored alert list: one view, current alerts, keyset (household, key); narrowed by street or kind
CREATE INDEX "monitoring_alert_current_idx" ON "monitoring_alert"("view", "household_id", "alert_key") WHERE "resolved_at" IS NULL;
CREATE INDEX "monitoring_alert_street_idx" ON "monitoring_alert"("view", "street_code", "household_id", "alert_key");
CREATE INDEX "monitoring_alert_kind_idx" ON "monitoring_alert"("view", "kind", "household_id", "alert_key");
CREATE INDEX "monitoring_alert_household_idx" ON "monitoring_alert"("household_id");

CREATE TABLE "monitoring_finding" (
    "id" VARCHAR(32) NOT NULL,
    "household_id" UUID NOT NULL,
    "district_code" VARCHAR(6) NOT NULL,
    "street_code" VARCHAR(9) NOT NULL,
    "kind" VARCHAR(40) NOT NULL,
    "period_start" DATE NOT NULL,
    "period_end" DATE NOT NULL,
    "finding" JSONB NOT NULL,
    "first_seen_run" UUID NOT NULL,
    "first_seen_at" TIMESTAMPTZ(3) NOT NULL,
    "last_seen_run" UUID NOT NULL,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL,
    "resolved_run" UUID,
    "resolved_at" TIMESTAMPTZ(3),
    CONSTRAINT "monitoring_finding_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "monitoring_finding_current_idx" ON "monitoring_finding"("id") WHERE "resolved_at" IS NULL;
CREATE INDEX "monitoring_finding_street_idx" ON "monitoring_finding"("street_code", "id");
CREATE INDEX "monitoring_finding_household_idx" ON "monitoring_finding"("household_id");

CREATE TABLE "monitoring_household" (
    "household_id" UUID NOT NULL,
    "run_id" UUID NOT NULL,
    "evaluated_at" TIMESTAMPTZ(3) NOT NULL,
    "tier" VARCHAR(24),
    "tier_class" VARCHAR(24),
    "failed_sources" TEXT[],
    "stale_sources" TEXT[],
    "needs" JSONB NOT NULL,
    CONSTRAINT "monitoring_household_pkey" PRIMARY KEY ("household_id")
);

CREATE TABLE "monitoring_lead" (
    "id" VARCHAR(32) NOT NULL,
    "source" VARCHAR(24) NOT NULL,
    "reason" VARCHAR(40) NOT NULL,
    "id_number" VARCHAR(18) NOT NULL,
    "household_id" UUID,
    "district_code" VARCHAR(6),
    "street_code" VARCHAR(9),
    "evidence" JSONB NOT NULL,
    "first_seen_run" UUID NOT NULL,
    "last_seen_run" UUID NOT NULL,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL,
    "dismissed_at" TIMESTAMPTZ(3),
    "dismissed_by" VARCHAR(200),
    "dismiss_reason" TEXT,
    CONSTRAINT "monitoring_lead_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "monitoring_lead_street_idx" ON "monitoring_lead"("street_code", "id");
