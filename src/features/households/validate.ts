/**
 * Input validation for the civil-affairs registry mutations: pure functions returning every problem
 * found (not just the first), each with a stable reason and the argument path at fault.
 */
import type { InputProblem } from "../../errors.js";
import { birthDateOf, isValidIdNumber, sexOf } from "../../domain/idnumber.js";
import type { AssetFields, IncomeFields, PersonFields, RegisterHouseholdFields, UpdateHouseholdFields } from "./inputs.js";

const PHONE = /^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$/;
const REGISTRY_NO = /^[0-9A-Z-]{6,32}$/;
const DISTRICT = /^\d{6}$/;
const MAX_TEXT = 200;

/** The birth date (UTC midnight) and sex an ID number encodes; assumes the number is valid. */
export function decodeIdNumber(idNumber: string): { birthDate: Date; sex: "MALE" | "FEMALE" } {
  return { birthDate: birthDateOf(idNumber) as Date, sex: sexOf(idNumber) };
}

function text(problems: InputProblem[], field: string, value: string | undefined | null, required: boolean) {
  if (value == null) return;
  if (required && value.trim() === "") problems.push({ field, reason: "REQUIRED", message: `${field} must not be empty` });
  if (value.length > MAX_TEXT) problems.push({ field, reason: "TOO_LONG", message: `${field} is longer than ${MAX_TEXT} characters` });
}

function phone(problems: InputProblem[], field: string, value: string | undefined | null) {
  if (value != null && value !== "" && !PHONE.test(value))
    problems.push({ field, reason: "INVALID_FORMAT", message: `${field} is not a mainland mobile or landline number` });
}

export function validateMembers(members: PersonFields[], today: Date): InputProblem[] {
  const problems: InputProblem[] = [];
  if (members.length === 0) problems.push({ field: "input.members", reason: "REQUIRED", message: "a household needs at least one member" });
  const heads = members.filter((m) => m.relation === "HEAD").length;
  if (members.length > 0 && heads !== 1)
    problems.push({ field: "input.members", reason: "HOUSEHOLD_HEAD", message: `a household needs exactly one HEAD, got ${heads}` });
  const seen = new Set<string>();
  members.forEach((m, i) => {
    const f = `input.members.${i}`;
    text(problems, `${f}.name`, m.name, true);
    if (!isValidIdNumber(m.idNumber)) {
      problems.push({ field: `${f}.idNumber`, reason: "INVALID_ID_NUMBER", message: `${f}.idNumber is not a valid 18-character ID number` });
      return;
    }
    if (seen.has(m.idNumber))
      problems.push({ field: `${f}.idNumber`, reason: "DUPLICATE_ID_NUMBER", message: `${f}.idNumber appears twice in the input` });
    seen.add(m.idNumber);
    const decoded = decodeIdNumber(m.idNumber);
    if (decoded.birthDate > today)
      problems.push({ field: `${f}.idNumber`, reason: "DATE_IN_FUTURE", message: `${f}.idNumber encodes a birth date in the future` });
    if (m.birthDate && m.birthDate.getTime() !== decoded.birthDate.getTime())
      problems.push({ field: `${f}.birthDate`, reason: "ID_NUMBER_MISMATCH", message: `${f}.birthDate differs from the one in the ID number` });
    if (m.sex && m.sex !== decoded.sex)
      problems.push({ field: `${f}.sex`, reason: "ID_NUMBER_MISMATCH", message: `${f}.sex differs from the one in the ID number` });
  });
  return problems;
}

export function validateIncomes(incomes: IncomeFields[] | undefined, memberIds: Set<string> | null, today: Date): InputProblem[] {
  const problems: InputProblem[] = [];
  incomes?.forEach((inc, i) => {
    const f = `input.incomes.${i}`;
    if (inc.monthlyFen < 0) problems.push({ field: `${f}.monthlyFen`, reason: "NEGATIVE_AMOUNT", message: `${f}.monthlyFen must not be negative` });
    if (inc.validTo && inc.validTo < inc.validFrom)
      problems.push({ field: `${f}.validTo`, reason: "DATE_RANGE", message: `${f}.validTo is before validFrom` });
    if (inc.validFrom.getTime() > today.getTime() + 366 * 86_400_000)
      problems.push({ field: `${f}.validFrom`, reason: "DATE_IN_FUTURE", message: `${f}.validFrom is more than a year ahead` });
    if (inc.earnerIdNumber != null && memberIds && !memberIds.has(inc.earnerIdNumber))
      problems.push({ field: `${f}.earnerIdNumber`, reason: "INVALID_ID_NUMBER", message: `${f}.earnerIdNumber is not a member of the household` });
  });
  return problems;
}

export function validateAssets(assets: AssetFields[] | undefined): InputProblem[] {
  const problems: InputProblem[] = [];
  assets?.forEach((a, i) => {
    const f = `input.assets.${i}`;
    if (a.valueFen < 0) problems.push({ field: `${f}.valueFen`, reason: "NEGATIVE_AMOUNT", message: `${f}.valueFen must not be negative` });
    text(problems, `${f}.description`, a.description, false);
  });
  return problems;
}

export function validateRegister(input: RegisterHouseholdFields, today: Date): InputProblem[] {
  const problems: InputProblem[] = [];
  if (input.registryNo != null && !REGISTRY_NO.test(input.registryNo))
    problems.push({ field: "input.registryNo", reason: "INVALID_FORMAT", message: "input.registryNo must be 6-32 of 0-9, A-Z and '-'" });
  if (!DISTRICT.test(input.districtCode))
    problems.push({ field: "input.districtCode", reason: "INVALID_FORMAT", message: "input.districtCode must be a 6-digit code" });
  text(problems, "input.address", input.address, true);
  phone(problems, "input.phone", input.phone);
  problems.push(...validateMembers(input.members, today));
  problems.push(...validateIncomes(input.incomes, new Set(input.members.map((m) => m.idNumber)), today));
  problems.push(...validateAssets(input.assets));
  return problems;
}

export function validateUpdate(input: UpdateHouseholdFields, memberIds: Set<string>, today: Date): InputProblem[] {
  const problems: InputProblem[] = [];
  text(problems, "input.address", input.address, true);
  phone(problems, "input.phone", input.phone);
  problems.push(...validateIncomes(input.incomes, memberIds, today));
  problems.push(...validateAssets(input.assets));
  return problems;
}
