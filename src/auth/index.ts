/**
 * Authentication: bearer JWT → Principal. Authorization (field policy) lives elsewhere.
 *
 *   const auth = authConfigFromEnv(process.env);            // { ok, config } | { ok: false, problems }
 *   const { verifier, dev } = await setupAuthentication(auth.config);
 *   const principal = await verifier.verify(request.headers.authorization);  // throws AuthError
 */
import type { AuthConfig } from "./config.js";
import { loadVerificationKeys, type DevKeys } from "./keys.js";
import { createVerifier, type Verifier, type VerifierOptions } from "./verify.js";

export * from "./principal.js";
export * from "./errors.js";
export * from "./config.js";
export * from "./keys.js";
export * from "./verify.js";
export { authErrorToGraphQLError } from "./graphql.js";

/**
 * Loads the configured keys (reads JWT_JWKS_FILE once; creates/loads the development key pair when no
 * key source is configured outside production) and builds the verifier. `dev` is non-null only with
 * development keys: use `devTokensForAllAudiences(dev.mint)` to print ready tokens.
 */
export async function setupAuthentication(
  config: AuthConfig,
  options: VerifierOptions = {},
): Promise<{ verifier: Verifier; dev: DevKeys | null }> {
  const { keys, dev } = await loadVerificationKeys(config);
  return { verifier: createVerifier(config, keys, options), dev };
}
