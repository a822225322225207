-- Issue 15: the department mirror (connectors/kit/mirror.ts, connectors/WIRE.md "Mirror contract").
-- One table per department system, keyed as its lookup API; `record` is the unified record as the
-- connector's conversion produces it (only what the gateway uses), without `stale` (the reader's clock).

CREATE TABLE "mirror_education" (
    "id_number" TEXT NOT NULL,
    "record" JSONB NOT NULL,
    "source_updated_at" TIMESTAMPTZ(3) NOT NULL,
    "synced_at" TIMESTAMPTZ(3) NOT NULL,
    "source_cursor" TEXT,

    CONSTRAINT "mirror_education_pkey" PRIMARY KEY ("id_number")
);

CREATE TABLE "mirror_employment" (
    "id_number" TEXT NOT NULL,
    "record" JSONB NOT NULL,
    "source_updated_at" TIMESTAMPTZ(3) NOT NULL,
    "synced_at" TIMESTAMPTZ(3) NOT NULL,
    "source_cursor" TEXT,

    CONSTRAINT "mirror_employment_pkey" PRIMARY KEY ("id_number")
);

CREATE TABLE "mirror_housing" (
    "registry_no" TEXT NOT NULL,
    "record" JSONB NOT NULL,
    "source_updated_at" TIMESTAMPTZ(3) NOT NULL,
    "synced_at" TIMESTAMPTZ(3) NOT NULL,
    "source_cursor" TEXT,

    CONSTRAINT "mirror_housing_pkey" PRIMARY KEY ("registry_no")
);

CREATE TABLE "mirror_medical_insurance" (
    "id_number" TEXT NOT NULL,
    "record" JSONB NOT NULL,
    "source_updated_at" TIMESTAMPTZ(3) NOT NULL,
    "synced_at" TIMESTAMPTZ(3) NOT NULL,
    "source_cursor" TEXT,

    CONSTRAINT "mirror_medical_insurance_pkey" PRIMARY KEY ("id_number")
);

CREATE TABLE "mirror_disability" (
    "id_number" TEXT NOT NULL,
    "record" JSONB NOT NULL,
    "source_updated_at" TIMESTAMPTZ(3) NOT NULL,
    "synced_at" TIMESTAMPTZ(3) NOT NULL,
    "source_cursor" TEXT,

    CONSTRAINT "mirror_disability_pkey" PRIMARY KEY ("id_number")
);

-- Per source: where the sync stands (cursor, a full load in progress, last success) and who runs it (lease).
CREATE TABLE "mirror_sync_state" (
    "source" TEXT NOT NULL,
    "cursor" TEXT,
    "full_sync_at" TIMESTAMPTZ(3),
    "last_success_at" TIMESTAMPTZ(3),
    "last_attempt_at" TIMESTAMPTZ(3),
    "last_error" TEXT,
    "records" BIGINT NOT NULL DEFAULT 0,
    "malformed" BIGINT NOT NULL DEFAULT 0,
    "full_started_at" TIMESTAMPTZ(3),
    "full_after" TEXT,
    "full_cursor" TEXT,
    "lease_owner" TEXT,
    "lease_until" TIMESTAMPTZ(3),

    CONSTRAINT "mirror_sync_state_pkey" PRIMARY KEY ("source")
);

-- Malformed records seen in an export or a feed (never stored in a mirror table): the latest per key.
CREATE TABLE "mirror_malformed" (
    "source" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "seen_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "mirror_malformed_pkey" PRIMARY KEY ("source","key")
);
