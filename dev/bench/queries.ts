/**
 * The mirror-served read the benches measure (bench-sync's reads, bench-cpu): every department field of a household's
 * members and its housing, each record saying where it was served from.
 */
export const MEMBER = `id idNumber
  education { source asOf stale servedFrom stage schoolName term hardshipStudent aid { item amountFen } necessaryExpenseFen }
  employment { source asOf stale servedFrom status publicWelfarePost trainings { course completedOn } dibaoEmploymentSubsidy { monthlyFen from to } }
  medicalInsurance { source asOf stale servedFrom tier premiumSubsidyRatio outOfPocketFen medicalAidPaidFen seriousDisease chronicDisease }
  disability { source asOf stale servedFrom grade category severe livingSubsidyFen nursingSubsidyFen certificateStatus }`;
export const HOUSEHOLD = `id registryNo housing { source asOf stale servedFrom benefits { type status monthlySubsidyFen startDate endDate } } members { ${MEMBER} }`;

/** Eligibility with its reasons, the aid chain with gaps and duplicates, and the alerts (the computed fields of a household). */
export const COMPUTED = `
  eligibility { tier complete incomePerCapitaFen standardFen gradualExitEnds nextRecertification
    persons { personId tier reason }
    entitlements { kind department personId amountFen ratio }
    reasons { rule outcome explanation inputs { name value source asOf } } }
  aidChain { complete
    links { id department program purpose personId periodStart periodEnd amountFen source }
    gaps { key kind department personId reason }
    duplicates { key kind purpose personId overlapStart overlapEnd } }
  alerts { key kind class severity department status evidence { name value source asOf } }`;
