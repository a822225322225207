/**
 * Validation of a temporary-aid application and its decision: a pure function returning every problem found,
 * each with a stable reason (src/errors.ts) and the argument path at fault. Membership of the person is checked
 * against the household's member ids the caller read.
 */
import type { InputProblem } from "../../errors.js";
import type { TemporaryAidApplicationFields } from "./inputs.js";

export const MAX_REASON = 200;

/** `today` is the request's day (UTC midnight): a date after it is in the future. */
export function validateTemporaryAid(input: TemporaryAidApplicationFields, memberIds: ReadonlySet<string>, today: Date): InputProblem[] {
  const problems: InputProblem[] = [];
  const f = (name: string) => `input.${name}`;
  if (input.personId != null && !memberIds.has(input.personId))
    problems.push({ field: f("personId"), reason: "NOT_A_MEMBER", message: "input.personId is not a member of the household" });
  if (input.appliedOn.getTime() > today.getTime())
    problems.push({ field: f("appliedOn"), reason: "DATE_IN_FUTURE", message: "input.appliedOn is in the future" });
  const decided = input.status !== "APPLIED";
  if (!decided && input.decidedOn != null)
    problems.push({ field: f("decidedOn"), reason: "NOT_APPLICABLE", message: "input.decidedOn is only for a decided application (GRANTED or REFUSED)" });
  if (decided && input.decidedOn == null)
    problems.push({ field: f("decidedOn"), reason: "REQUIRED", message: `input.decidedOn is required for a ${input.status} application` });
  if (decided && input.decidedOn != null) {
    if (input.decidedOn.getTime() > today.getTime())
      problems.push({ field: f("decidedOn"), reason: "DATE_IN_FUTURE", message: "input.decidedOn is in the future" });
    if (input.decidedOn.getTime() < input.appliedOn.getTime())
      problems.push({ field: f("decidedOn"), reason: "DATE_RANGE", message: "input.decidedOn is before input.appliedOn" });
  }
  if (input.status === "GRANTED") {
    if (input.amountFen == null) problems.push({ field: f("amountFen"), reason: "REQUIRED", message: "input.amountFen is required for a GRANTED application" });
    else if (input.amountFen < 0) problems.push({ field: f("amountFen"), reason: "NEGATIVE_AMOUNT", message: "input.amountFen must not be negative" });
    else if (input.amountFen === 0) problems.push({ field: f("amountFen"), reason: "NOT_POSITIVE", message: "input.amountFen of a grant must be more than 0" });
  } else if (input.amountFen != null) {
    problems.push({ field: f("amountFen"), reason: "NOT_APPLICABLE", message: "input.amountFen is only for a GRANTED application" });
  }
  if (input.reason != null && input.reason.length > MAX_REASON)
    problems.push({ field: f("reason"), reason: "TOO_LONG", message: `input.reason is longer than ${MAX_REASON} characters` });
  return problems;
}
