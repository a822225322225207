import { createRequire } from "node:module";
import { defineConfig } from "vitest/config";

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // type-graphql loads graphql's CommonJS build; make every import use that one build so there is a
    // single GraphQLSchema realm (see ../shared/ENVIRONMENT.md).
    alias: [{ find: /^graphql$/, replacement: require.resolve("graphql") }],
  },
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/setup.ts"],
    // Generous, and the only timeouts (no test or hook sets its own): CI and test/stress.sh run the suite beside
    // other work (two CPU burners in the stress run), where a test that takes 20 s on a quiet machine can take
    // several times that. A timeout here only bounds a test that would otherwise hang; nothing in the suite
    // asserts elapsed time (timing claims are `npm run bench`'s).
    testTimeout: 180_000,
    hookTimeout: 300_000,
    pool: "forks",
    fileParallelism: true,
    maxWorkers: 2,
  },
});
