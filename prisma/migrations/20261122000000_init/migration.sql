-- CreateEnum
CREATE TYPE "HukouType" AS ENUM ('URBAN', 'RURAL');

-- CreateEnum
CREATE TYPE "HouseholdStatus" AS ENUM ('ACTIVE', 'MONITORED', 'CLOSED');

-- CreateEnum
CREATE TYPE "Sex" AS ENUM ('MALE', 'FEMALE');

-- CreateEnum
CREATE TYPE "Relation" AS ENUM ('HEAD', 'SPOUSE', 'CHILD', 'PARENT', 'GRANDCHILD', 'GRANDPARENT', 'SIBLING', 'CHILD_IN_LAW', 'OTHER');

-- CreateEnum
CREATE TYPE "WorkAbility" AS ENUM ('FULL', 'PARTIAL', 'NONE');

-- CreateEnum
CREATE TYPE "SelfCare" AS ENUM ('FULL', 'PARTIAL', 'NONE');

-- CreateEnum
CREATE TYPE "IncomeSource" AS ENUM ('WAGES', 'BUSINESS', 'PROPERTY', 'PENSION', 'TRANSFER', 'AGRICULTURE', 'OTHER');

-- CreateEnum
CREATE TYPE "AssetKind" AS ENUM ('DEPOSIT', 'SECURITIES', 'VEHICLE', 'HOUSE', 'BUSINESS', 'OTHER');

-- CreateEnum
CREATE TYPE "Tier" AS ENUM ('DIBAO', 'TEKUN', 'DIBAO_MARGINAL', 'RIGID_EXPENDITURE', 'MONITORED', 'OTHER');

-- CreateEnum
CREATE TYPE "TierClass" AS ENUM ('DIBAO_A', 'DIBAO_B', 'TEKUN_CENTRALISED', 'TEKUN_DISPERSED');

-- CreateEnum
CREATE TYPE "CaseStatus" AS ENUM ('APPLIED', 'ACTIVE', 'GRADUAL_EXIT', 'SUSPENDED', 'TERMINATED', 'REJECTED');

-- CreateEnum
CREATE TYPE "AidProgram" AS ENUM ('DIBAO_PAYMENT', 'TEKUN_SUPPORT', 'TEKUN_CARE_SUBSIDY', 'TEMPORARY_AID_EMERGENCY', 'TEMPORARY_AID_EXPENDITURE', 'ONE_TIME_SUBSIDY', 'FUNERAL_AID');

-- CreateEnum
CREATE TYPE "ParameterUnit" AS ENUM ('FEN_PER_MONTH', 'FEN_PER_YEAR', 'FEN_PER_PERSON', 'RATIO', 'MONTHS', 'YEARS');

-- CreateTable
CREATE TABLE "street" (
    "code" VARCHAR(12) NOT NULL,
    "district_code" VARCHAR(6) NOT NULL,
    "name" TEXT NOT NULL,

    CONSTRAINT "street_pkey" PRIMARY KEY ("code")
);

-- CreateTable
CREATE TABLE "household" (
    "id" UUID NOT NULL,
    "registry_no" VARCHAR(32) NOT NULL,
    "district_code" VARCHAR(6) NOT NULL,
    "street_code" VARCHAR(12) NOT NULL,
    "address" TEXT NOT NULL,
    "hukou" "HukouType" NOT NULL,
    "status" "HouseholdStatus" NOT NULL DEFAULT 'ACTIVE',
    "phone" VARCHAR(20),
    "contact_consent" BOOLEAN NOT NULL DEFAULT false,
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "household_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "person" (
    "id" UUID NOT NULL,
    "id_number" CHAR(18) NOT NULL,
    "name" TEXT NOT NULL,
    "sex" "Sex" NOT NULL,
    "birth_date" DATE NOT NULL,
    "household_id" UUID NOT NULL,
    "relation" "Relation" NOT NULL,
    "work_ability" "WorkAbility" NOT NULL,
    "self_care" "SelfCare" NOT NULL,

    CONSTRAINT "person_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "income" (
    "id" UUID NOT NULL,
    "household_id" UUID NOT NULL,
    "person_id" UUID,
    "source" "IncomeSource" NOT NULL,
    "monthly_fen" INTEGER NOT NULL,
    "valid_from" DATE NOT NULL,
    "valid_to" DATE,

    CONSTRAINT "income_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "asset" (
    "id" UUID NOT NULL,
    "household_id" UUID NOT NULL,
    "kind" "AssetKind" NOT NULL,
    "value_fen" BIGINT NOT NULL,
    "description" TEXT,

    CONSTRAINT "asset_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "assistance_case" (
    "id" UUID NOT NULL,
    "household_id" UUID NOT NULL,
    "person_id" UUID,
    "tier" "Tier" NOT NULL,
    "tier_class" "TierClass",
    "status" "CaseStatus" NOT NULL,
    "start_date" DATE NOT NULL,
    "end_date" DATE,
    "next_review_date" DATE,
    "monthly_fen" INTEGER,
    "note" TEXT,

    CONSTRAINT "assistance_case_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "aid_record" (
    "id" UUID NOT NULL,
    "household_id" UUID NOT NULL,
    "person_id" UUID,
    "case_id" UUID,
    "program" "AidProgram" NOT NULL,
    "amount_fen" INTEGER NOT NULL,
    "period_start" DATE NOT NULL,
    "period_end" DATE NOT NULL,
    "paid_at" TIMESTAMPTZ(3),
    "idempotency_key" VARCHAR(128) NOT NULL,

    CONSTRAINT "aid_record_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "policy_parameter" (
    "id" UUID NOT NULL,
    "region_code" VARCHAR(12) NOT NULL,
    "key" VARCHAR(64) NOT NULL,
    "value" DECIMAL(14,4) NOT NULL,
    "unit" "ParameterUnit" NOT NULL,
    "effective_from" DATE NOT NULL,
    "effective_to" DATE,
    "source" TEXT NOT NULL,

    CONSTRAINT "policy_parameter_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "seed_run" (
    "id" SERIAL NOT NULL,
    "seed" INTEGER NOT NULL,
    "as_of" DATE NOT NULL,
    "persons" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "seed_run_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "street_district_code_idx" ON "street"("district_code");

-- CreateIndex
CREATE UNIQUE INDEX "household_registry_no_key" ON "household"("registry_no");

-- CreateIndex
CREATE INDEX "household_district_code_street_code_id_idx" ON "household"("district_code", "street_code", "id");

-- CreateIndex
CREATE INDEX "household_street_code_id_idx" ON "household"("street_code", "id");

-- CreateIndex
CREATE UNIQUE INDEX "person_id_number_key" ON "person"("id_number");

-- CreateIndex
CREATE INDEX "person_household_id_idx" ON "person"("household_id");

-- CreateIndex
CREATE INDEX "income_household_id_idx" ON "income"("household_id");

-- CreateIndex
CREATE INDEX "asset_household_id_idx" ON "asset"("household_id");

-- CreateIndex
CREATE INDEX "assistance_case_household_id_idx" ON "assistance_case"("household_id");

-- CreateIndex
CREATE INDEX "assistance_case_tier_status_idx" ON "assistance_case"("tier", "status");

-- CreateIndex
CREATE UNIQUE INDEX "aid_record_idempotency_key_key" ON "aid_record"("idempotency_key");

-- CreateIndex
CREATE INDEX "aid_record_household_id_idx" ON "aid_record"("household_id");

-- CreateIndex
CREATE INDEX "aid_record_person_id_program_period_start_idx" ON "aid_record"("person_id", "program", "period_start");

-- CreateIndex
CREATE UNIQUE INDEX "policy_parameter_region_code_key_effective_from_key" ON "policy_parameter"("region_code", "key", "effective_from");

-- AddForeignKey
ALTER TABLE "household" ADD CONSTRAINT "household_street_code_fkey" FOREIGN KEY ("street_code") REFERENCES "street"("code") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "person" ADD CONSTRAINT "person_household_id_fkey" FOREIGN KEY ("household_id") REFERENCES "household"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "income" ADD CONSTRAINT "income_household_id_fkey" FOREIGN KEY ("household_id") REFERENCES "household"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "income" ADD CONSTRAINT "income_person_id_fkey" FOREIGN KEY ("person_id") REFERENCES "person"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "asset" ADD CONSTRAINT "asset_household_id_fkey" FOREIGN KEY ("household_id") REFERENCES "household"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "assistance_case" ADD CONSTRAINT "assistance_case_household_id_fkey" FOREIGN KEY ("household_id") REFERENCES "household"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "assistance_case" ADD CONSTRAINT "assistance_case_person_id_fkey" FOREIGN KEY ("person_id") REFERENCES "person"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "aid_record" ADD CONSTRAINT "aid_record_household_id_fkey" FOREIGN KEY ("household_id") REFERENCES "household"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "aid_record" ADD CONSTRAINT "aid_record_person_id_fkey" FOREIGN KEY ("person_id") REFERENCES "person"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "aid_record" ADD CONSTRAINT "aid_record_case_id_fkey" FOREIGN KEY ("case_id") REFERENCES "assistance_case"("id") ON DELETE SET NULL ON UPDATE CASCADE;

