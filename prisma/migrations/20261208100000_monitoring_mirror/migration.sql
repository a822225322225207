-- Monitoring over the department mirror (issue 16): which sources a run (and each shard) read from the mirror
-- and which live; and the keys a sync removed from a mirror table (a department delete, a record turned
-- malformed, a full load's vanished rows), so an incremental run re-evaluates their households.

-- AlterTable
ALTER TABLE "monitoring_run" ADD COLUMN "mirror_sources" TEXT[],
ADD COLUMN "live_sources" TEXT[];

-- AlterTable
ALTER TABLE "monitoring_shard" ADD COLUMN "mirror_sources" TEXT[],
ADD COLUMN "live_sources" TEXT[];

-- CreateTable
CREATE TABLE "mirror_removed" (
    "source" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "removed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "mirror_removed_pkey" PRIMARY KEY ("source","key")
);

-- CreateIndex
CREATE INDEX "mirror_removed_removed_at_idx" ON "mirror_removed"("removed_at");

-- Every delete from a mirror table leaves its key here (one statement-level trigger per table: a page's
-- deletes are one statement). The latest removal per key is kept.
CREATE FUNCTION mirror_removed_record() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO mirror_removed (source, key, removed_at)
  SELECT TG_ARGV[0], k, now() FROM (SELECT DISTINCT (to_jsonb(o) ->> TG_ARGV[1]) AS k FROM old_rows o) AS d
  ON CONFLICT (source, key) DO UPDATE SET removed_at = EXCLUDED.removed_at;
  RETURN NULL;
END $$;

CREATE TRIGGER mirror_education_removed AFTER DELETE ON "mirror_education" REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION mirror_removed_record('education', 'id_number');
CREATE TRIGGER mirror_employment_removed AFTER DELETE ON "mirror_employment" REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION mirror_removed_record('employment', 'id_number');
CREATE TRIGGER mirror_housing_removed AFTER DELETE ON "mirror_housing" REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION mirror_removed_record('housing', 'registry_no');
CREATE TRIGGER mirror_medical_insurance_removed AFTER DELETE ON "mirror_medical_insurance" REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION mirror_removed_record('medicalInsurance', 'id_number');
CREATE TRIGGER mirror_disability_removed AFTER DELETE ON "mirror_disability" REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION mirror_removed_record('disability', 'id_number');
