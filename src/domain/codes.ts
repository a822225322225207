/**
 * Code lists for facts a caseworker types in and department records carry (issue 13 point 8): a value
 * outside its list is BAD_USER_INPUT at the input (src/features/eligibility/caseworker-facts.ts) and is not a
 * qualifying fact in a rule (src/domain/observed.ts). Pure data.
 */
import type { DisabilityCategory, SchoolStage } from "./records.js";

/**
 * Serious / special diseases (大病, 特殊病) the medical-insurance system's unified codes name: the special
 * diseases DOMAIN.md §2 lists from 003 §9 / 002 #5–7 (thalassemia, chronic myeloid leukaemia,
 * pneumoconiosis, childhood leukaemia) and the serious-disease codes the medical-insurance system uses
 * (cancer, uremia, haemophilia, severe mental illness, congenital heart disease).
 */
export const SERIOUS_DISEASES: readonly string[] = [
  "THALASSEMIA",
  "CML",
  "PNEUMOCONIOSIS",
  "CHILD_LEUKAEMIA",
  "CANCER",
  "UREMIA",
  "HEMOPHILIA",
  "SEVERE_MENTAL_ILLNESS",
  "CONGENITAL_HEART_DISEASE",
];

const DISEASES = new Set(SERIOUS_DISEASES);
export const isSeriousDisease = (code: string): boolean => DISEASES.has(code);

/** Disability certificate categories (DOMAIN.md §2 disabled persons' federation). */
export const DISABILITY_CATEGORIES: readonly DisabilityCategory[] = ["VISUAL", "HEARING", "SPEECH", "PHYSICAL", "INTELLECTUAL", "MENTAL", "MULTIPLE"];
/** Disability grades 1–4; 1–2 severe. */
export const DISABILITY_GRADES: readonly number[] = [1, 2, 3, 4];
/** School stages (002 #8–10). */
export const SCHOOL_STAGES: readonly SchoolStage[] = ["PRESCHOOL", "PRIMARY", "JUNIOR", "SENIOR", "VOCATIONAL", "HIGHER"];
