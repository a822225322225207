/** Who lives in a household: relations, ages and sexes of its members. */
import type { Relation, Sex } from "../../../src/db/generated/enums.js";
import { surname } from "../names.js";
import { Rng } from "../rng.js";
import { Gen } from "./state.js";

export interface MemberPlan {
  relation: Relation;
  age: number;
  sex: Sex;
  surname: string;
  /** force a disability: severe (grade 1-2) or any */
  disability?: "severe" | "any";
  seriousIllness?: boolean;
  /** no disability / serious illness (someone who must be able to work) */
  healthy?: boolean;
  orphan?: boolean;
  student?: boolean;
}

function other(sex: Sex): Sex {
  return sex === "MALE" ? "FEMALE" : "MALE";
}

export type Profile = "poor" | "low" | "normal";

function childAgeFor(rng: Rng, parentAges: number[], minAge = 0): number {
  const youngest = Math.min(...parentAges);
  const hi = youngest - 20;
  const lo = Math.max(minAge, youngest - 40);
  return hi < lo ? Math.max(0, hi) : rng.int(lo, hi);
}

/** Relations and ages of a household of `size` (1-6). */
export function compose(g: Gen, size: number, needWorker: boolean): MemberPlan[] {
  const rng = g.rng;
  for (let attempt = 0; ; attempt++) {
    const plans = composeOnce(rng, size, needWorker && attempt < 20);
    if (!needWorker || plans.some((p) => p.age >= 20 && p.age <= 50) || attempt >= 20) return plans;
  }
}

function composeOnce(rng: Rng, size: number, young: boolean): MemberPlan[] {
  const fam = surname(rng);
  const headSex: Sex = rng.chance(0.55) ? "MALE" : "FEMALE";
  const head = (age: number, sex: Sex = headSex): MemberPlan => ({ relation: "HEAD", age, sex, surname: fam });
  const spouseOf = (h: MemberPlan): MemberPlan => ({
    relation: "SPOUSE",
    age: Math.max(20, h.age + rng.int(-5, 5)),
    sex: other(h.sex),
    surname: surname(rng),
  });
  const childSurname = (h: MemberPlan, s: MemberPlan | null): string =>
    h.sex === "MALE" ? h.surname : s ? s.surname : rng.chance(0.7) ? h.surname : surname(rng);
  const child = (parents: MemberPlan[], sn: string, minAge = 0): MemberPlan => ({
    relation: "CHILD",
    age: childAgeFor(rng, parents.map((p) => p.age), minAge),
    sex: rng.chance(0.5) ? "MALE" : "FEMALE",
    surname: sn,
  });
  const parentOf = (h: MemberPlan): MemberPlan => {
    const sex: Sex = rng.chance(0.4) ? "MALE" : "FEMALE";
    return { relation: "PARENT", age: Math.min(98, h.age + rng.int(20, 34)), sex, surname: sex === "MALE" ? h.surname : surname(rng) };
  };

  switch (size) {
    case 1: {
      const age = young ? rng.int(22, 50) : rng.weightedPairs<number>([[rng.int(18, 39), 15], [rng.int(40, 59), 35], [rng.int(60, 90), 50]]);
      return [head(age, age >= 60 ? (rng.chance(0.6) ? "FEMALE" : "MALE") : headSex)];
    }
    case 2: {
      const t = young ? rng.pick(["couple", "singleParent", "withParent"]) : rng.weightedPairs<string>([
        ["couple", 30], ["singleParent", 25], ["elderWithAdultChild", 15], ["withParent", 15], ["grandparent", 8], ["siblings", 7],
      ]);
      if (t === "couple") {
        const h = head(young ? rng.int(25, 50) : rng.int(25, 85));
        return [h, spouseOf(h)];
      }
      if (t === "singleParent") {
        const h = head(rng.int(26, 55), rng.chance(0.7) ? "FEMALE" : "MALE");
        return [h, child([h], childSurname(h, null))];
      }
      if (t === "elderWithAdultChild") {
        const h = head(rng.int(58, 85));
        return [h, child([h], childSurname(h, null), 18)];
      }
      if (t === "withParent") {
        const h = head(young ? rng.int(28, 50) : rng.int(28, 62));
        return [h, parentOf(h)];
      }
      if (t === "grandparent") {
        const h = head(rng.int(56, 80));
        return [h, { relation: "GRANDCHILD", age: rng.int(Math.max(0, h.age - 70), Math.min(17, h.age - 42)), sex: rng.chance(0.5) ? "MALE" : "FEMALE", surname: h.sex === "MALE" ? h.surname : surname(rng) }];
      }
      const h = head(rng.int(40, 80));
      return [h, { relation: "SIBLING", age: Math.max(18, h.age + rng.int(-8, 8)), sex: rng.chance(0.5) ? "MALE" : "FEMALE", surname: h.surname }];
    }
    case 3: {
      const t = young ? rng.pick(["couple+child", "couple+parent"]) : rng.weightedPairs<string>([
        ["couple+child", 55], ["singleParent+2", 15], ["couple+parent", 15], ["grandparents+grandchild", 10], ["head+child+grandchild", 5],
      ]);
      if (t === "couple+child") {
        const h = head(rng.int(26, 58));
        const s = spouseOf(h);
        return [h, s, child([h, s], childSurname(h, s))];
      }
      if (t === "singleParent+2") {
        const h = head(rng.int(28, 55), rng.chance(0.7) ? "FEMALE" : "MALE");
        const sn = childSurname(h, null);
        return [h, child([h], sn), child([h], sn)];
      }
      if (t === "couple+parent") {
        const h = head(rng.int(30, 60));
        return [h, spouseOf(h), parentOf(h)];
      }
      if (t === "grandparents+grandchild") {
        const h = head(rng.int(56, 78));
        const s = spouseOf(h);
        const gAge = rng.int(Math.max(0, Math.min(h.age, s.age) - 70), Math.min(17, Math.min(h.age, s.age) - 42));
        return [h, s, { relation: "GRANDCHILD", age: gAge, sex: rng.chance(0.5) ? "MALE" : "FEMALE", surname: childSurname(h, s) }];
      }
      const h = head(rng.int(60, 80));
      const c = child([h], childSurname(h, null), 22);
      return [h, c, { relation: "GRANDCHILD", age: childAgeFor(rng, [c.age]), sex: rng.chance(0.5) ? "MALE" : "FEMALE", surname: c.sex === "MALE" ? c.surname : surname(rng) }];
    }
    default: {
      // 4-6: a couple with children, then parents or a married child with grandchildren
      const t = rng.weightedPairs<string>([["nuclear", 55], ["threeGen", 30], ["extended", 15]]);
      if (t === "extended" && !young && size >= 4) {
        const h = head(rng.int(50, 72));
        const s = spouseOf(h);
        const sn = childSurname(h, s);
        const c = child([h, s], sn, 22);
        const inLaw: MemberPlan = { relation: "CHILD_IN_LAW", age: Math.max(20, c.age + rng.int(-3, 3)), sex: other(c.sex), surname: surname(rng) };
        const out = [h, s, c, inLaw];
        const gcSurname = c.sex === "MALE" ? c.surname : inLaw.surname;
        while (out.length < size) {
          out.push({ relation: "GRANDCHILD", age: childAgeFor(rng, [c.age, inLaw.age]), sex: rng.chance(0.5) ? "MALE" : "FEMALE", surname: gcSurname });
        }
        return out;
      }
      const nParents = t === "threeGen" ? Math.min(2, size - 3) : size >= 6 ? 1 : 0;
      const h = head(rng.int(30, 55));
      const s = spouseOf(h);
      const sn = childSurname(h, s);
      const out: MemberPlan[] = [h, s];
      const nChildren = size - 2 - nParents;
      for (let i = 0; i < nChildren; i++) out.push(child([h, s], sn));
      if (nParents >= 1) {
        const p1 = parentOf(h);
        out.push(p1);
        if (nParents === 2) out.push({ relation: "PARENT", age: Math.max(h.age + 20, Math.min(98, p1.age + rng.int(-4, 4))), sex: other(p1.sex), surname: p1.sex === "MALE" ? surname(rng) : h.surname });
      }
      return out;
    }
  }
}

export const SIZE_DIST: readonly (readonly [number, number])[] = [[1, 20], [2, 30], [3, 28], [4, 14], [5, 5], [6, 3]];
export const SIZE_DIST_NON_POOR: readonly (readonly [number, number])[] = [[1, 10], [2, 28], [3, 34], [4, 18], [5, 6], [6, 4]];
