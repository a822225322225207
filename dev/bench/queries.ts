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
