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
    // Generous, and the only timeouts (no test or hook sets its own): CI and scripts/stress-test.sh run the suite
    // beside other work (two CPU burners in the stress run), where a test that takes 10 s on a quiet machine was
    // measured at 110 s. A timeout here only bounds a test that would otherwise hang — and one that fires early
    // does harm beyond its test: the timed-out test's requests keep running beside the next tests (the matrix's
    // cells run concurrently), which then slow down in turn. Nothing in the suite asserts elapsed time (timing
    // claims are `npm run bench`'s).
    testTimeout: 300_000,
    hookTimeout: 600_000,
    pool: "forks",
    fileParallelism: true,
    maxWorkers: 2,
  },
});
