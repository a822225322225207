import { test, expect } from "vitest";
import {
  birthDateOf,
  checkCharacter,
  isValidIdNumber,
  makeIdNumber,
  parseIdNumber,
  sexFromIdNumber,
  sexOf,
} from "../../src/domain/idnumber.js";

test("check character of the GB 11643 example 11010519491231002X, computed by hand", () => {
  // 1·7 + 1·9 + 0·10 + 1·5 + 0·8 + 5·4 + 1·2 + 9·1 + 4·6 + 9·3 + 1·7 + 2·9 + 3·10 + 1·5 + 0·8 + 0·4 + 2·2 = 167
  // 167 mod 11 = 2 -> "10X98765432"[2] = "X"
  expect(checkCharacter("11010519491231002")).toBe("X");
  expect(isValidIdNumber("11010519491231002X")).toBe(true);
});

test("more known-valid numbers of the real format", () => {
  for (const first17 of ["44052418800101001", "50010319900307123", "50023119851231456", "11010519491231002"]) {
    const id = first17 + checkCharacter(first17);
    expect(isValidIdNumber(id)).toBe(true);
  }
  // 440524188001010014: sum = 4·7+4·9+0·10+5·5+2·8+4·4+1·2+8·1+8·6+0·3+0·7+1·9+0·10+1·5+0·8+0·4+1·2 = 195; 195 mod 11 = 8 -> "4"
  expect(checkCharacter("44052418800101001")).toBe("4");
  expect(isValidIdNumber("440524188001010014")).toBe(true);
});

test("rejects a bad check character, a bad date, a wrong length, a lower-case x and other junk", () => {
  expect(isValidIdNumber("110105194912310021")).toBe(false); // checksum
  expect(isValidIdNumber("11010519491231002x")).toBe(false); // lower-case x
  expect(isValidIdNumber("11010519491231002")).toBe(false); // 17 characters
  expect(isValidIdNumber("11010519491231002X1")).toBe(false); // 19 characters
  expect(isValidIdNumber("")).toBe(false);
  expect(isValidIdNumber("1101051949123100 X")).toBe(false);
  const feb30 = "50010320190230001";
  expect(isValidIdNumber(feb30 + checkCharacter(feb30))).toBe(false); // 30 February
  const month13 = "50010320191301001";
  expect(isValidIdNumber(month13 + checkCharacter(month13))).toBe(false);
  const leap = "50010320000229001"; // 2000 is a leap year
  expect(isValidIdNumber(leap + checkCharacter(leap))).toBe(true);
  const notLeap = "50010319000229001"; // 1900 is not
  expect(isValidIdNumber(notLeap + checkCharacter(notLeap))).toBe(false);
  const zeroRegion = "00010319900101001";
  expect(isValidIdNumber(zeroRegion + checkCharacter(zeroRegion))).toBe(false);
});

test("a birth date after the reference date is rejected only when a reference date is given", () => {
  const id = makeIdNumber("500103", "2030-01-01", "001");
  expect(isValidIdNumber(id)).toBe(true);
  expect(isValidIdNumber(id, "2026-11-22")).toBe(false);
  expect(isValidIdNumber(id, new Date("2030-01-01T00:00:00Z"))).toBe(true);
});

test("makeIdNumber, parse, sex from the 17th digit", () => {
  const male = makeIdNumber("500103", "1985-06-15", 123);
  expect(male).toHaveLength(18);
  expect(male.slice(0, 17)).toBe("50010319850615123");
  expect(parseIdNumber(male)).toEqual({ region: "500103", birthDate: "1985-06-15", sequence: "123", sex: "MALE" });
  const female = makeIdNumber("500103", new Date("1985-06-15T00:00:00Z"), "124");
  expect(sexFromIdNumber(female)).toBe("FEMALE");
  expect(sexOf(male)).toBe("MALE");
  expect(birthDateOf(male)?.toISOString()).toBe("1985-06-15T00:00:00.000Z");
  expect(() => makeIdNumber("50010", "1985-06-15", 1)).toThrow();
  expect(() => makeIdNumber("500103", "1985-02-30", 1)).toThrow();
  expect(() => makeIdNumber("500103", "1985-02-03", 1000)).toThrow();
});
