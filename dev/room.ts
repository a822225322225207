/**
 * What a development start takes from the development room, in one module: the production start path
 * loads it with a dynamic import (src/app/dev-room.ts) only when it needs one of these — never in
 * production (src/app/config.ts refuses DEPARTMENT_SANDBOXES=true and SEED_ON_START=true there, and
 * development keys are refused there too).
 */
export { startSandboxes } from "./sandboxes/index.js";
export { compiledSeedCli, ensureDataset, seedInChildProcess } from "./seed/dataset.js";
export { devTokensForAllAudiences } from "./keys/dev-keys.js";
