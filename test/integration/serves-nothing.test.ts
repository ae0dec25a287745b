import { describe, expect, it } from "vitest";
import { bareStack, expectNothingLeft, runCli, tinyStack } from "./helpers.js";

describe("a stack that serves nothing: exit 3, the errors named, nothing left behind", () => {
  it("an app behind nginx that answers 500 to every request fails the run with the counts and its log", async () => {
    const stack = tinyStack((app) =>
      bareStack()(app)
        .replace("proxy: none", "proxy: { nginx: { worker_processes: 1 } }")
        .replace("ready: { http: /test", "ready: { http: /health"),
    );
    const run = await runCli(["run", stack, "--json", `${stack}/result.json`], { env: { TINY_MODE: "error-500" } });
    expect(run.code, run.stderr).toBe(3);
    expect(run.stderr).toMatch(
      /stack bare served nothing: trials 1, 2 of 2 got no successful \(2xx\) response, only \d+ failed requests \(connection errors 0, timeouts 0, non-2xx [1-9]\d*\)\. Check that the app answers GET \/ with 2xx\./,
    );
    // The tail of the app's log, where the app said what went wrong.
    expect(run.stderr).toMatch(/--- last lines of the app's log \S+app\.log ---/);
    expect(run.stderr).toContain("ERROR handling request 1: ZeroDivisionError: division by zero");
    expect(run.stderr).not.toMatch(/\n\s+at /); // a stack failure, not a bug: no stack trace
    expect(run.stdout).not.toContain("Result written");
    expectNothingLeft(run);
  });
});
