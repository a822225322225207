import { describe, expect, it } from "vitest";
import { beijingCompactToDate, isStale, isoDateToUtc, parseRetryAfter, yuanToFen, UpstreamError } from "../../connectors/kit/index.js";

describe("conversions", () => {
  it("converts yuan decimal strings to fen exactly", () => {
    expect(yuanToFen("1250.00")).toBe(125000);
    expect(yuanToFen("0.10") + yuanToFen("0.20")).toBe(30); // 0.1 + 0.2 in floating point is 0.30000000000000004
    expect(yuanToFen("0.10") + yuanToFen("0.20")).toBe(yuanToFen("0.30"));
    expect(yuanToFen("1250")).toBe(125000);
    expect(yuanToFen("1250.5")).toBe(125050);
    expect(yuanToFen("0.01")).toBe(1);
    expect(yuanToFen("0")).toBe(0);
    expect(yuanToFen("19.99")).toBe(1999);
    expect(yuanToFen("1.15")).toBe(115); // 1.15 * 100 = 114.99999999999999 in floating point
    expect(yuanToFen("90071992547409.91")).toBe(9007199254740991);
    for (const bad of ["1.005", "-1.00", "1e3", " 1.00", "1,250.00", "", ".5", "01.00", "1.", "NaN", "90071992547409.92"]) {
      expect(() => yuanToFen(bad), bad).toThrow(RangeError);
    }
  });

  it("parses dates as UTC midnight and rejects impossible ones", () => {
    expect(isoDateToUtc("2025-03-01").toISOString()).toBe("2025-03-01T00:00:00.000Z");
    expect(isoDateToUtc("2024-02-29").toISOString()).toBe("2024-02-29T00:00:00.000Z");
    expect(() => isoDateToUtc("2025-02-29")).toThrow();
    expect(() => isoDateToUtc("2025-3-1")).toThrow();
  });

  it("reads yyyyMMddHHmmss as Beijing time (UTC+8)", () => {
    expect(beijingCompactToDate("20261102093000").toISOString()).toBe("2026-11-02T01:30:00.000Z");
    expect(beijingCompactToDate("20260101050000").toISOString()).toBe("2025-12-31T21:00:00.000Z");
    expect(() => beijingCompactToDate("20261302093000")).toThrow();
    expect(() => beijingCompactToDate("2026110209300")).toThrow();
  });

  it("flags records older than the threshold as stale", () => {
    const now = new Date("2026-11-15T00:00:00Z");
    expect(isStale(new Date("2025-11-15T00:00:00Z"), now, 365)).toBe(false);
    expect(isStale(new Date("2025-11-14T23:59:59Z"), now, 365)).toBe(true);
    expect(isStale(new Date("2026-11-01T00:00:00Z"), now, 10)).toBe(true);
  });

  it("parses Retry-After as seconds or an HTTP-date", () => {
    const now = Date.parse("2026-11-15T08:00:00Z");
    expect(parseRetryAfter("1", now)).toBe(1000);
    expect(parseRetryAfter("120", now)).toBe(120_000);
    expect(parseRetryAfter("Sun, 15 Nov 2026 08:00:03 GMT", now)).toBe(3000);
    expect(parseRetryAfter("Sun, 15 Nov 2026 07:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter("soon", now)).toBeUndefined();
  });

  it("keeps the internal detail out of what a client could see", () => {
    const e = new UpstreamError("UPSTREAM_UNAVAILABLE", "employment", { url: "http://10.0.0.7/api/persons/500103198001010011/employment", status: 503 });
    expect(e.message).toBe("The employment department system is unavailable");
    expect(JSON.stringify(e)).not.toContain("10.0.0.7");
    expect(Object.keys(e)).not.toContain("detail");
    expect(e.detail.status).toBe(503);
    expect(e.describe()).toContain("status 503");
  });
});
