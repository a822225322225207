/**
 * Masks: pure functions from a serialised (JSON) value to its masked form. They run on the response
 * after execution, so they see exactly what the client would have seen. null stays null.
 */
export type MaskKind = "idNumber" | "name" | "phone" | "address" | "amountBand" | "year" | "pseudonym";

const COMPOUND_SURNAMES = [
  "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒", "夏侯", "令狐", "端木", "西门", "南宫", "独孤",
];

/** First 4 and last 4 characters kept: 5001**********123X. */
export function maskIdNumber(v: string): string {
  if (v.length <= 8) return "*".repeat(v.length);
  return v.slice(0, 4) + "*".repeat(v.length - 8) + v.slice(-4);
}

/** Surname kept, each given-name character starred: 张** / 欧阳*. */
export function maskName(v: string): string {
  const chars = [...v];
  const surnameLength = COMPOUND_SURNAMES.some((s) => v.startsWith(s)) && chars.length > 2 ? 2 : 1;
  return chars.slice(0, surnameLength).join("") + "*".repeat(Math.max(1, chars.length - surnameLength));
}

/** 138****5678; landlines keep the area code and the last 2 digits. */
export function maskPhone(v: string): string {
  const digits = v.replace(/\D/g, "");
  if (/^1\d{10}$/.test(digits)) return `${digits.slice(0, 3)}****${digits.slice(-4)}`;
  if (digits.length <= 4) return "*".repeat(digits.length);
  return `${digits.slice(0, 4)}${"*".repeat(digits.length - 6)}${digits.slice(-2)}`;
}

const STREET_LEVEL = /^(.*?(?:街道|镇|乡|福利院))/;
const DISTRICT_LEVEL = /^(.*?[区县])/;

/**
 * Cut to the street (街道/镇/乡, or the welfare home): "重庆市渝中区七星岗街道中山一路12号" → "重庆市渝中区七星岗街道".
 * An address that names no street is cut to its district (coarser, never finer).
 */
export function maskAddress(v: string): string {
  const m = STREET_LEVEL.exec(v) ?? DISTRICT_LEVEL.exec(v);
  return m ? m[1] : "***";
}

/** Bands of fen, each about twice the last: 0, 1–49,999, 50,000–99,999, 100,000–199,999, ... */
const BAND_EDGES = [0, 1, 50_000, 100_000, 200_000, 500_000, 1_000_000, 2_000_000, 5_000_000, 10_000_000, 50_000_000, 100_000_000];

/**
 * An amount in fen to a band, as a string "from-to" in fen (inclusive), or "from+" for the top band.
 * The band is wide enough not to identify a household, narrow enough to judge need.
 */
export function amountBand(v: number): string {
  if (v < 0) return "<0";
  if (v === 0) return "0";
  for (let i = BAND_EDGES.length - 1; i >= 0; i--) {
    if (v >= BAND_EDGES[i]) {
      const next = BAND_EDGES[i + 1];
      return next === undefined ? `${BAND_EDGES[i]}+` : `${BAND_EDGES[i]}-${next - 1}`;
    }
  }
  return "0";
}

/** A date or instant to its year: "1975-03-14" → "1975". */
export function maskYear(v: string): string {
  return /^\d{4}/.test(v) ? v.slice(0, 4) : "****";
}

export function applyMask(kind: Exclude<MaskKind, "pseudonym">, value: unknown): unknown {
  if (value === null || value === undefined) return value;
  switch (kind) {
    case "idNumber":
      return maskIdNumber(String(value));
    case "name":
      return maskName(String(value));
    case "phone":
      return maskPhone(String(value));
    case "address":
      return maskAddress(String(value));
    case "amountBand":
      return typeof value === "number" ? amountBand(value) : "***";
    case "year":
      return maskYear(String(value));
  }
}
