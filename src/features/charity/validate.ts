/**
 * Input validation for the charity mutations: pure functions returning every problem found, each with
 * a stable reason and the argument path at fault (like src/features/households/validate.ts).
 */
import { badInput, type InputProblem } from "../../errors.js";
import { isUuid } from "../households/cursor.js";
import { CHARITY_ID, DISTRICT_CODE as DISTRICT, STREET_CODE as STREET } from "../../auth/principal.js";
import type { RegisterCharityFields, ResourceFields, UpdateResourceFields } from "./inputs.js";

const MAX_TEXT = 200;
/** Unified social credit code (统一社会信用代码): 18 characters, no I, O, S, V, Z. */
const CREDIT_CODE = /^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/;
const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{1,128}$/;
const MAX_AGE = 120;

function text(problems: InputProblem[], field: string, value: string | undefined | null, required: boolean) {
  if (value == null) return;
  if (required && value.trim() === "") problems.push({ field, reason: "REQUIRED", message: `${field} must not be empty` });
  if (value.length > MAX_TEXT) problems.push({ field, reason: "TOO_LONG", message: `${field} is longer than ${MAX_TEXT} characters` });
}

function codes(problems: InputProblem[], field: string, list: string[] | undefined, pattern: RegExp, what: string) {
  list?.forEach((c, i) => {
    if (!pattern.test(c)) problems.push({ field: `${field}.${i}`, reason: "INVALID_FORMAT", message: `${field}.${i} is not a ${what}` });
  });
}

export function validateCharity(input: RegisterCharityFields): InputProblem[] {
  const problems: InputProblem[] = [];
  if (!CHARITY_ID.test(input.id))
    problems.push({ field: "input.id", reason: "INVALID_FORMAT", message: "input.id must be 1-64 of letters, digits, _ . : - (starting with a letter or digit)" });
  text(problems, "input.name", input.name, true);
  if (!CREDIT_CODE.test(input.registrationNo))
    problems.push({ field: "input.registrationNo", reason: "INVALID_FORMAT", message: "input.registrationNo is not an 18-character unified social credit code" });
  if (input.districts.length === 0) problems.push({ field: "input.districts", reason: "REQUIRED", message: "a charity serves at least one district" });
  codes(problems, "input.districts", input.districts, DISTRICT, "6-digit district code");
  return problems;
}

function ages(problems: InputProblem[], minAge: number | undefined | null, maxAge: number | undefined | null) {
  for (const [f, v] of [["input.minAge", minAge], ["input.maxAge", maxAge]] as const)
    if (v != null && (v < 0 || v > MAX_AGE)) problems.push({ field: f, reason: "RANGE", message: `${f} must be between 0 and ${MAX_AGE}` });
  if (minAge != null && maxAge != null && minAge > maxAge)
    problems.push({ field: "input.maxAge", reason: "RANGE", message: "input.maxAge is below input.minAge" });
}

function quantity(problems: InputProblem[], q: number | undefined | null) {
  if (q == null) return;
  if (q < 0) problems.push({ field: "input.quantity", reason: "NEGATIVE_AMOUNT", message: "input.quantity must not be negative" });
  else if (q === 0) problems.push({ field: "input.quantity", reason: "NOT_POSITIVE", message: "input.quantity must be at least 1" });
}

/** Districts must be among those the charity serves; streets must be given as codes (their existence is checked by the caller). */
function area(problems: InputProblem[], districts: string[] | undefined, streets: string[] | undefined, served: string[]) {
  codes(problems, "input.districts", districts, DISTRICT, "6-digit district code");
  codes(problems, "input.streets", streets, STREET, "9-digit street code");
  districts?.forEach((d, i) => {
    if (DISTRICT.test(d) && !served.includes(d))
      problems.push({ field: `input.districts.${i}`, reason: "NOT_SERVED", message: `input.districts.${i} is not a district the charity serves` });
  });
  const inDistricts = districts?.length ? districts : served;
  streets?.forEach((s, i) => {
    if (STREET.test(s) && !inDistricts.includes(s.slice(0, 6)))
      problems.push({ field: `input.streets.${i}`, reason: "NOT_SERVED", message: `input.streets.${i} is outside the resource's districts` });
  });
}

export function validateResource(input: ResourceFields, served: string[]): InputProblem[] {
  const problems: InputProblem[] = [];
  text(problems, "input.title", input.title, true);
  quantity(problems, input.quantity);
  area(problems, input.districts, input.streets, served);
  ages(problems, input.minAge, input.maxAge);
  if (input.validTo && input.validTo < input.validFrom)
    problems.push({ field: "input.validTo", reason: "DATE_RANGE", message: "input.validTo is before input.validFrom" });
  return problems;
}

export function validateResourceUpdate(
  input: UpdateResourceFields,
  current: { minAge: number | null; maxAge: number | null; validFrom: Date; quantity: number; remaining: number },
  served: string[],
): InputProblem[] {
  const problems: InputProblem[] = [];
  text(problems, "input.title", input.title, true);
  quantity(problems, input.quantity);
  if (input.quantity != null && input.quantity > 0 && input.quantity < current.quantity - current.remaining)
    problems.push({ field: "input.quantity", reason: "RANGE", message: "input.quantity is below what is already claimed" });
  area(problems, input.districts, input.streets, served);
  ages(problems, input.minAge !== undefined ? input.minAge : current.minAge, input.maxAge !== undefined ? input.maxAge : current.maxAge);
  if (input.validTo && input.validTo < current.validFrom)
    problems.push({ field: "input.validTo", reason: "DATE_RANGE", message: "input.validTo is before the resource's validFrom" });
  return problems;
}

export function validateClaim(units: number, idempotencyKey: string): InputProblem[] {
  const problems: InputProblem[] = [];
  if (units < 0) problems.push({ field: "units", reason: "NEGATIVE_AMOUNT", message: "units must not be negative" });
  else if (units === 0) problems.push({ field: "units", reason: "NOT_POSITIVE", message: "units must be at least 1" });
  if (idempotencyKey === "") problems.push({ field: "idempotencyKey", reason: "REQUIRED", message: "idempotencyKey must not be empty" });
  else if (idempotencyKey.length > 128) problems.push({ field: "idempotencyKey", reason: "TOO_LONG", message: "idempotencyKey is longer than 128 characters" });
  else if (!IDEMPOTENCY_KEY.test(idempotencyKey))
    problems.push({ field: "idempotencyKey", reason: "INVALID_FORMAT", message: "idempotencyKey must be of letters, digits, _ . : -" });
  return problems;
}

export function validateText(field: string, value: string | undefined | null, required: boolean): InputProblem[] {
  const problems: InputProblem[] = [];
  if (required && value == null) problems.push({ field, reason: "REQUIRED", message: `${field} must be given` });
  text(problems, field, value, required);
  return problems;
}

/** Throws BAD_USER_INPUT with every problem found, if any. */
export function fail(problems: InputProblem[]): void {
  if (problems.length) throw badInput(problems);
}

/** An id argument must be a uuid (INVALID_ID otherwise). */
export function uuidArg(field: string, value: string, what: string): void {
  if (!isUuid(value)) throw badInput([{ field, reason: "INVALID_ID", message: `${field} is not a ${what} id` }]);
}
