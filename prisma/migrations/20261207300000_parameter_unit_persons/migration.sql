-- A policy parameter counted in persons (issue 13: POSSIBLE_TEKUN_MAX_HOUSEHOLD_SIZE, a household size).
ALTER TYPE "ParameterUnit" ADD VALUE IF NOT EXISTS 'PERSONS';
