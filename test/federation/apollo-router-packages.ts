/**
 * Loads `@apollo/composition` and `@apollo/gateway` so that they share ONE copy of `@apollo/federation-internals`.
 *
 * Why: the project's `@apollo/subgraph` 2.11 (the line for Node 20) pins `@apollo/federation-internals` 2.11.3 at
 * the top of node_modules, so npm nests a separate 2.14.4 copy under each of `@apollo/composition`,
 * `@apollo/query-graphs`, `@apollo/gateway` and `@apollo/query-planner`. The gateway builds its supergraph with its
 * copy and the query planner tests it with `instanceof` against another (`isNamedType`), so every plan that
 * crosses subgraphs fails with "Cannot read properties of undefined (reading 'kind')" — seen with two toy
 * subgraphs too. Until package.json aligns the versions (an `overrides` entry, see the README), requests for
 * `@apollo/federation-internals` from those four packages resolve to the gateway's copy (same version).
 * Test-only: nothing in the gateway itself loads these packages.
 */
import Module, { createRequire } from "node:module";

type Resolve = (request: string, parent: { filename?: string } | undefined, ...rest: unknown[]) => string;
const require = createRequire(import.meta.url);
const ROUTER_PACKAGES = /[\\/]@apollo[\\/](gateway|query-planner|query-graphs|composition)[\\/]/;

let installed = false;
function shareFederationInternals(): void {
  if (installed) return;
  installed = true;
  const target = createRequire(require.resolve("@apollo/gateway")).resolve("@apollo/federation-internals");
  const m = Module as unknown as { _resolveFilename: Resolve };
  const original = m._resolveFilename;
  m._resolveFilename = function (this: unknown, request, parent, ...rest) {
    if (request === "@apollo/federation-internals" && ROUTER_PACKAGES.test(parent?.filename ?? "")) return target;
    return original.call(this, request, parent, ...rest);
  };
}

export async function routerPackages() {
  shareFederationInternals();
  const [{ composeServices }, { ApolloGateway, RemoteGraphQLDataSource }] = await Promise.all([import("@apollo/composition"), import("@apollo/gateway")]);
  return { composeServices, ApolloGateway, RemoteGraphQLDataSource };
}
