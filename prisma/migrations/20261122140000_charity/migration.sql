-- Charity matching (issue 7): partner charities, their resources, households' needs, claims and
-- per-charity contact consent.
--
-- household.contact_consent keeps its column but changes meaning: it records the household's general
-- willingness to be contacted by partner charities (as asked at registration); it no longer discloses
-- the phone to any charity by itself. A charity sees contact details only where a street office
-- recorded the household's consent for that charity (contact_consent rows, not revoked). No per-charity
-- consent can be derived from the old flag (no charity existed before this migration), so existing
-- flags disclose nothing until a street office records a consent: the safe direction.

-- CreateEnum
CREATE TYPE "CharityStatus" AS ENUM ('ACTIVE', 'SUSPENDED');

-- CreateEnum
CREATE TYPE "NeedCategory" AS ENUM ('SCHOOL_COSTS', 'MEDICAL_COSTS', 'ASSISTIVE_DEVICES', 'WINTER_CLOTHING', 'FOOD', 'RENT_HELP', 'JOB_TRAINING', 'CARE_VISITS', 'OTHER');

-- CreateEnum
CREATE TYPE "Urgency" AS ENUM ('LOW', 'MEDIUM', 'HIGH', 'CRITICAL');

-- CreateEnum
CREATE TYPE "NeedOrigin" AS ENUM ('DERIVED', 'MANUAL');

-- CreateEnum
CREATE TYPE "NeedStatus" AS ENUM ('OPEN', 'CLAIMED', 'MET', 'CLOSED');

-- CreateEnum
CREATE TYPE "ResourceUnit" AS ENUM ('ITEMS', 'FEN');

-- CreateEnum
CREATE TYPE "ResourceStatus" AS ENUM ('ACTIVE', 'CLOSED');

-- CreateEnum
CREATE TYPE "ClaimStatus" AS ENUM ('CLAIMED', 'DELIVERED', 'CANCELLED');

-- CreateTable
CREATE TABLE "charity" (
    "id" VARCHAR(64) NOT NULL,
    "name" TEXT NOT NULL,
    "registration_no" VARCHAR(32) NOT NULL,
    "districts" VARCHAR(6)[],
    "status" "CharityStatus" NOT NULL DEFAULT 'ACTIVE',
    "suspended_at" TIMESTAMPTZ(3),
    "suspended_reason" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "charity_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "charity_resource" (
    "id" UUID NOT NULL,
    "charity_id" VARCHAR(64) NOT NULL,
    "category" "NeedCategory" NOT NULL,
    "title" TEXT NOT NULL,
    "unit" "ResourceUnit" NOT NULL,
    "quantity" INTEGER NOT NULL,
    "remaining" INTEGER NOT NULL,
    "districts" VARCHAR(6)[],
    "streets" VARCHAR(12)[],
    "tiers" "Tier"[],
    "min_age" INTEGER,
    "max_age" INTEGER,
    "disability_required" BOOLEAN NOT NULL DEFAULT false,
    "shared" BOOLEAN NOT NULL DEFAULT false,
    "valid_from" DATE NOT NULL,
    "valid_to" DATE,
    "status" "ResourceStatus" NOT NULL DEFAULT 'ACTIVE',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "charity_resource_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "need" (
    "id" UUID NOT NULL,
    "household_id" UUID NOT NULL,
    "person_id" UUID,
    "district_code" VARCHAR(6) NOT NULL,
    "street_code" VARCHAR(12) NOT NULL,
    "category" "NeedCategory" NOT NULL,
    "urgency" "Urgency" NOT NULL,
    "origin" "NeedOrigin" NOT NULL,
    "derivation_key" VARCHAR(128),
    "rule" VARCHAR(64) NOT NULL,
    "reason" TEXT NOT NULL,
    "tier" "Tier",
    "age_band" VARCHAR(8),
    "disability" BOOLEAN NOT NULL DEFAULT false,
    "since" DATE NOT NULL,
    "status" "NeedStatus" NOT NULL DEFAULT 'OPEN',
    "note" TEXT,
    "recorded_by" VARCHAR(256),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "closed_at" TIMESTAMPTZ(3),

    CONSTRAINT "need_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "claim" (
    "id" UUID NOT NULL,
    "need_id" UUID NOT NULL,
    "resource_id" UUID NOT NULL,
    "charity_id" VARCHAR(64) NOT NULL,
    "units" INTEGER NOT NULL,
    "idempotency_key" VARCHAR(128) NOT NULL,
    "status" "ClaimStatus" NOT NULL DEFAULT 'CLAIMED',
    "claimed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "delivered_at" TIMESTAMPTZ(3),
    "cancelled_at" TIMESTAMPTZ(3),

    CONSTRAINT "claim_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "contact_consent" (
    "id" UUID NOT NULL,
    "household_id" UUID NOT NULL,
    "charity_id" VARCHAR(64) NOT NULL,
    "recorded_by" VARCHAR(256) NOT NULL,
    "recorded_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" TIMESTAMPTZ(3),
    "revoked_by" VARCHAR(256),

    CONSTRAINT "contact_consent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "charity_registration_no_key" ON "charity"("registration_no");

-- CreateIndex
CREATE INDEX "charity_resource_charity_id_idx" ON "charity_resource"("charity_id");

-- CreateIndex
CREATE INDEX "charity_resource_status_category_idx" ON "charity_resource"("status", "category");

-- CreateIndex
CREATE UNIQUE INDEX "need_derivation_key_key" ON "need"("derivation_key");

-- CreateIndex
CREATE INDEX "need_street_code_status_idx" ON "need"("street_code", "status");

-- CreateIndex
CREATE INDEX "need_household_id_idx" ON "need"("household_id");

-- CreateIndex
CREATE INDEX "claim_need_id_idx" ON "claim"("need_id");

-- CreateIndex
CREATE INDEX "claim_resource_id_idx" ON "claim"("resource_id");

-- CreateIndex
CREATE UNIQUE INDEX "claim_charity_id_idempotency_key_key" ON "claim"("charity_id", "idempotency_key");

-- CreateIndex
CREATE INDEX "contact_consent_household_id_charity_id_idx" ON "contact_consent"("household_id", "charity_id");

-- AddForeignKey
ALTER TABLE "charity_resource" ADD CONSTRAINT "charity_resource_charity_id_fkey" FOREIGN KEY ("charity_id") REFERENCES "charity"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "need" ADD CONSTRAINT "need_household_id_fkey" FOREIGN KEY ("household_id") REFERENCES "household"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "need" ADD CONSTRAINT "need_person_id_fkey" FOREIGN KEY ("person_id") REFERENCES "person"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "claim" ADD CONSTRAINT "claim_need_id_fkey" FOREIGN KEY ("need_id") REFERENCES "need"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "claim" ADD CONSTRAINT "claim_resource_id_fkey" FOREIGN KEY ("resource_id") REFERENCES "charity_resource"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "claim" ADD CONSTRAINT "claim_charity_id_fkey" FOREIGN KEY ("charity_id") REFERENCES "charity"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "contact_consent" ADD CONSTRAINT "contact_consent_household_id_fkey" FOREIGN KEY ("household_id") REFERENCES "household"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "contact_consent" ADD CONSTRAINT "contact_consent_charity_id_fkey" FOREIGN KEY ("charity_id") REFERENCES "charity"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Capacity never goes negative nor above the quantity, whatever the application does.
ALTER TABLE "charity_resource" ADD CONSTRAINT "charity_resource_remaining_check" CHECK ("remaining" >= 0 AND "remaining" <= "quantity");
