/** Who uses the gateway (DOMAIN.md §5). The token's department claim names one of these. */
import { AUDIENCES, type Audience } from "../auth/principal.js";

export { AUDIENCES, type Audience };

export const AUDIENCE_TITLES: Record<Audience, string> = {
  civil_affairs: "Civil affairs 民政",
  street_office: "Street office 街道",
  education: "Education 教委",
  employment: "Employment 人力社保",
  housing: "Housing 住建",
  medical_insurance: "Medical insurance 医保",
  disability: "Disabled persons' federation 残联",
  health: "Health 卫健",
  charity: "Charity 慈善",
  auditor: "Auditor 审计/财政",
};
