/**
 * A small registry for the charity tests: three streets, four households with members, cases, incomes
 * and phones (each value distinctive, so a test can search a response for it), and helpers to register
 * charities and resources and to record needs through the API — as the real actors would.
 */
import type { Database } from "../../src/db/database.js";
import { writeReferenceData } from "../../dev/seed/writer.js";
import { policyParameters } from "../../dev/seed/generator.js";
import { makeIdNumber } from "../../src/domain/idnumber.js";
import type { TestGateway } from "../helpers/gateway.js";
import type { MintOptions } from "../../dev/keys/dev-keys.js";

export const NOW = new Date("2026-11-22T08:00:00Z");
export const QIXINGGANG = "500103001";
export const JIEFANGBEI = "500103002";
export const BICHENG = "500120001";

export const civil: MintOptions = { audience: "civil_affairs", city: "500000" };
export const streetOffice = (street = QIXINGGANG): MintOptions => ({ audience: "street_office", street });
export const charity = (charityId: string): MintOptions => ({ audience: "charity", charityId });

export interface SeededHousehold {
  id: string;
  registryNo: string;
  address: string;
  phone: string;
  streetCode: string;
  members: { id: string; name: string; idNumber: string; relation: string; birthDate: string }[];
  incomeFen: number;
}

let seq = 300;
async function household(
  db: Database,
  h: { street: string; district: string; tier: "DIBAO" | "DIBAO_MARGINAL" | "TEKUN"; phone: string; address: string; incomeFen: number; contactConsent?: boolean },
  members: { name: string; birth: string; relation: "HEAD" | "SPOUSE" | "CHILD" | "PARENT"; selfCare?: "FULL" | "PARTIAL" | "NONE" }[],
): Promise<SeededHousehold> {
  const registryNo = `${h.street}-T${String(seq).padStart(6, "0")}`;
  const row = await db.prisma.household.create({
    data: {
      registryNo,
      districtCode: h.district,
      streetCode: h.street,
      address: h.address,
      hukou: "URBAN",
      phone: h.phone,
      contactConsent: h.contactConsent ?? false,
      members: {
        create: members.map((m) => ({
          idNumber: makeIdNumber(h.district, m.birth, seq++),
          name: m.name,
          sex: "MALE",
          birthDate: new Date(`${m.birth}T00:00:00Z`),
          relation: m.relation,
          workAbility: m.selfCare === "NONE" ? "NONE" : "FULL",
          selfCare: m.selfCare ?? "FULL",
        })),
      },
      incomes: { create: [{ source: "PENSION", monthlyFen: h.incomeFen, validFrom: new Date("2026-01-01T00:00:00Z") }] },
      cases: { create: [{ tier: h.tier, status: "ACTIVE", startDate: new Date("2024-03-01T00:00:00Z"), monthlyFen: 45_678 }] },
    },
    include: { members: true },
  });
  return {
    id: row.id,
    registryNo,
    address: h.address,
    phone: h.phone,
    streetCode: h.street,
    incomeFen: h.incomeFen,
    members: row.members.map((m) => ({ id: m.id, name: m.name, idNumber: m.idNumber, relation: m.relation, birthDate: m.birthDate.toISOString().slice(0, 10) })),
  };
}

export interface Registry {
  /** 七星岗, dibao: a 76-year-old head without self-care (care visits, winter clothing), consent flag set at registration */
  elderly: SeededHousehold;
  /** 七星岗, marginal: a 16-year-old (school costs, recorded by hand) */
  student: SeededHousehold;
  /** 解放碑, TEKUN: an 80-year-old, partial self-care */
  tekun: SeededHousehold;
  /** 璧山: outside Yuzhong */
  bishan: SeededHousehold;
}

/** A small registry: four households on three streets, with the default policy parameters unless `parameters: false`. */
export async function seedRegistry(db: Database, opts: { parameters?: boolean } = {}): Promise<Registry> {
  if (opts.parameters !== false) await writeReferenceData(db.sql, [], policyParameters());
  await db.prisma.street.createMany({
    data: [
      { code: QIXINGGANG, districtCode: "500103", name: "七星岗街道" },
      { code: JIEFANGBEI, districtCode: "500103", name: "解放碑街道" },
      { code: BICHENG, districtCode: "500120", name: "璧城街道" },
    ],
  });
  return {
    elderly: await household(
      db,
      { street: QIXINGGANG, district: "500103", tier: "DIBAO", phone: "13812345671", address: "重庆市渝中区七星岗街道中山一路12号3-1", incomeFen: 123_457, contactConsent: true },
      [{ name: "欧阳建国", birth: "1950-04-03", relation: "HEAD", selfCare: "NONE" }, { name: "李秀英", birth: "1953-07-09", relation: "SPOUSE" }],
    ),
    student: await household(
      db,
      { street: QIXINGGANG, district: "500103", tier: "DIBAO_MARGINAL", phone: "13923456782", address: "重庆市渝中区七星岗街道通远门5号2-4", incomeFen: 98_765 },
      [{ name: "张卫东", birth: "1978-02-11", relation: "HEAD" }, { name: "张小雨", birth: "2010-05-20", relation: "CHILD" }],
    ),
    tekun: await household(
      db,
      { street: JIEFANGBEI, district: "500103", tier: "TEKUN", phone: "13734567893", address: "重庆市渝中区解放碑街道民族路8号", incomeFen: 54_321 },
      [{ name: "王德顺", birth: "1946-01-15", relation: "HEAD", selfCare: "PARTIAL" }],
    ),
    bishan: await household(
      db,
      { street: BICHENG, district: "500120", tier: "DIBAO", phone: "13645678904", address: "重庆市璧山区璧城街道东林大道3号", incomeFen: 76_543 },
      [{ name: "刘长生", birth: "1949-09-09", relation: "HEAD", selfCare: "NONE" }],
    ),
  };
}

const REGISTER = `mutation($input: RegisterCharityInput!) { registerCharity(input: $input) { id status } }`;
const CREATE = `mutation($input: ResourceInput!) { createResource(input: $input) { id remaining } }`;

/** Runs a mutation the fixture needs to succeed; its errors fail the test's setup. */
async function mutate(gw: TestGateway, query: string, variables: Record<string, unknown>, as: MintOptions) {
  const res = await gw.gql(query, variables, as);
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data;
}

export async function registerCharity(gw: TestGateway, id: string, name: string, registrationNo: string, districts = ["500103"]) {
  return (await mutate(gw, REGISTER, { input: { id, name, registrationNo, districts } }, civil)).registerCharity;
}

export async function createResource(gw: TestGateway, charityId: string, input: Record<string, unknown>): Promise<string> {
  return (await mutate(gw, CREATE, { input: { unit: "ITEMS", quantity: 10, validFrom: "2026-01-01", ...input } }, charity(charityId))).createResource.id;
}

export async function recordNeed(gw: TestGateway, input: Record<string, unknown>, as: MintOptions = streetOffice()): Promise<string> {
  return (await mutate(gw, `mutation($input: RecordNeedInput!) { recordNeed(input: $input) { id } }`, { input }, as)).recordNeed.id;
}

export async function refresh(gw: TestGateway, street = QIXINGGANG) {
  return (await mutate(gw, `mutation($s: String!) { refreshDerivedNeeds(street: $s) { id category status } }`, { s: street }, streetOffice(street))).refreshDerivedNeeds;
}

/** A need's reference as a charity sees it (the charity's nd_… pseudonym). */
export const needRef = (gw: TestGateway, charityId: string, needId: string) => gw.pseudonyms.encode(charityId, "need", needId);
export const householdRef = (gw: TestGateway, charityId: string, householdId: string) => gw.pseudonyms.encode(charityId, "household", householdId);
