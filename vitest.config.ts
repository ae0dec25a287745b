import { defineConfig } from "vitest/config";

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
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          globalSetup: ["test/support/real-python.ts"],
          // Real PostgreSQL, PgBouncer, nginx and Python servers: one stack at a time on a 2-core machine.
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 180_000,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
