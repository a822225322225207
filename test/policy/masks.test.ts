import { expect, test } from "vitest";
import { amountBand, maskAddress, maskIdNumber, maskName, maskPhone, maskYear } from "../../src/policy/masks.js";
import { Pseudonymizer } from "../../src/policy/pseudonym.js";
import { randomBytes, randomUUID } from "node:crypto";

test("ID number keeps the first 4 and last 4 characters", () => {
  expect(maskIdNumber("11010519491231002X")).toBe("1101**********002X");
  expect(maskIdNumber("11010519491231002X")).toHaveLength(18);
});

test("name keeps the surname, compound surnames included", () => {
  expect(maskName("张伟")).toBe("张*");
  expect(maskName("李小龙")).toBe("李**");
  expect(maskName("欧阳娜娜")).toBe("欧阳**");
  expect(maskName("欧阳")).toBe("欧*"); // a two-character name is surname + given name
});

test("phone keeps the prefix and last 4 digits", () => {
  expect(maskPhone("13812345678")).toBe("138****5678");
  expect(maskPhone("023-63851234")).not.toContain("6385");
});

test("address is cut to the street, or to the district when no street is named", () => {
  expect(maskAddress("重庆市渝中区七星岗街道中山一路12号3-1")).toBe("重庆市渝中区七星岗街道");
  expect(maskAddress("重庆市渝中区中兴路26号27-1")).toBe("重庆市渝中区");
  expect(maskAddress("渝中区社会福利院")).toBe("渝中区社会福利院");
});

test("amounts fall into bands that contain them", () => {
  for (const v of [1, 49_999, 50_000, 73_210, 199_999, 2_000_000, 123_456_789]) {
    const band = amountBand(v);
    const [lo, hi] = band.endsWith("+") ? [Number(band.slice(0, -1)), Infinity] : band.split("-").map(Number);
    expect(v).toBeGreaterThanOrEqual(lo);
    expect(v).toBeLessThanOrEqual(hi);
    expect(band).not.toBe(String(v));
  }
  expect(amountBand(0)).toBe("0");
});

test("dates keep the year", () => {
  expect(maskYear("1975-03-14")).toBe("1975");
  expect(maskYear("2026-11-22T08:00:00.000Z")).toBe("2026");
});

test("pseudonyms: stable per charity, different across charities, reversible only with the right charity", () => {
  const p = new Pseudonymizer(randomBytes(32));
  const id = randomUUID();
  const a1 = p.encode("charity-a", "household", id);
  expect(p.encode("charity-a", "household", id)).toBe(a1);
  const b = p.encode("charity-b", "household", id);
  expect(b).not.toBe(a1);
  expect(a1).not.toContain(id.slice(0, 8));
  expect(p.decode("charity-a", "household", a1)).toBe(id);
  expect(p.decode("charity-b", "household", a1)).not.toBe(id);
  expect(p.decode("charity-a", "person", a1)).toBeNull();
  expect(p.decode("charity-a", "household", "hh_garbage")).toBeNull();
});
