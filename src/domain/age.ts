/** Whole years between a birth date and a day (both read as UTC calendar dates). */
export function ageOn(birth: Date, on: Date): number {
  let age = on.getUTCFullYear() - birth.getUTCFullYear();
  const beforeBirthday =
    on.getUTCMonth() < birth.getUTCMonth() || (on.getUTCMonth() === birth.getUTCMonth() && on.getUTCDate() < birth.getUTCDate());
  if (beforeBirthday) age -= 1;
  return age;
}

/** Working age (劳动年龄): 16 up to the statutory retirement age (men 60, women 55), as the seed generator uses it. */
export function isWorkingAge(sex: "MALE" | "FEMALE", age: number): boolean {
  return age >= 16 && age < (sex === "MALE" ? 60 : 55);
}
