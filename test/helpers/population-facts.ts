/**
 * HouseholdFacts and ParameterSets straight from the seed generator's population, without a database or
 * HTTP, for pure tests over the default data set. One implementation, shared with `npm run domain:report`:
 * dev/seed/population-facts.ts (department records derived exactly as the sandboxes derive them and
 * mapped through each connector's own zod schema and mapping).
 */
export { deriveDepartments, factsOf, seededParameterSet } from "../../dev/seed/population-facts.js";
