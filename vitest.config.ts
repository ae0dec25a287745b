import { defineConfig } from "vitest/config";

/**
 * Integration files none of whose assertions depends on how fast something ran: messages, exit codes,
 * files, permissions, isolation, cleanup, and exact counts (the database work, callgrind's
 * instructions). They share the CPUs with the timing lane, which holds every file that judges a
 * timing (a slowdown found, an A/A pass, an SLO, a sweep's best count, a capacity search).
 */
const CHECKS_LANE = [
  "ab-work",
  "action-error-rate",
  "action-report",
  "action-report-artifact",
  "bad-input",
  "branch-store",
  "builtin-apps",
  "builtin-stacks",
  "child-env",
  "cost",
  "db-template",
  "faults",
  "faults-injected",
  "help",
  "init",
  "serves-nothing",
  "setup",
  "stack-isolation",
  "study",
  "work",
  "work-command",
  "work-gate",
].map((name) => `test/integration/${name}.test.ts`);

const INTEGRATION = {
  globalSetup: ["test/support/real-python.ts"],
  fileParallelism: false,
  testTimeout: 180_000,
  hookTimeout: 180_000,
  sequence: { groupOrder: 1 },
};

export default defineConfig({
  test: {
    // TMPDIR is a folder of the suite's own, listed and removed at the end (test/support/temp-root.ts).
    globalSetup: ["test/support/temp-root.ts"],
    // npm run test:unit runs the unit project without these: it starts no process.
    tags: [{ name: "spawns", description: "starts a process (git, tar): a unit test npm run test:unit leaves out" }],
    projects: [
      // Pure tests first (they start no process), then the rest.
      { test: { name: "unit", include: ["test/unit/**/*.test.ts"], sequence: { groupOrder: 0 } } },
      // The HTML report in Debian's Chromium (playwright-core), offline.
      {
        test: {
          name: "browser",
          include: ["test/browser/**/*.test.ts"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          sequence: { groupOrder: 1 },
        },
      },
      // Real PostgreSQL, PgBouncer, nginx and Python servers, in two lanes, each one file at a time:
      // the files that judge timing, and the rest (CHECKS_LANE). scripts/test-run.mjs runs the two
      // side by side, as two vitest processes (one process runs all its projects in one queue).
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          exclude: CHECKS_LANE,
          ...INTEGRATION,
        },
      },
      { test: { name: "integration-checks", include: CHECKS_LANE, ...INTEGRATION } },
    ],
  },
});
