// `loadgate <command> --help` through the built CLI: exit 0, the command's usage, and nothing started,
// with a real stack as the positional so a missing help check would really bring it up.
import { describe, expect, it } from "vitest";
import { COMMAND_HELP, COMMANDS, type CommandName, GLOBAL_HELP } from "../../src/cli/help.js";
import { expectNothingLeftOf, runTagged } from "./helpers.js";

const STACK = "stacks/gunicorn-flask";

const CALLS: Record<CommandName, string[]> = {
  init: ["init", STACK, "--help"],
  run: ["run", STACK, "--duration", "1", "--help"],
  cost: ["cost", STACK, "--help"],
  work: ["work", STACK, "--help"],
  ab: ["ab", "HEAD", STACK, "--help"],
  study: ["study", "gunicorn-flask", "--help"],
  capacity: ["capacity", STACK, "--slo-p99", "50ms", "--help"],
  compare: ["compare", "--help"],
  report: ["report", "--help"],
  history: ["history", "gunicorn-flask", "--help"],
  up: ["up", STACK, "-h"],
  help: ["help", "--help"],
};

describe("--help through the built CLI", () => {
  it.each(COMMANDS)("%s: exit 0, its usage, no stack started", async (command) => {
    const started = Date.now();
    const run = await runTagged(CALLS[command], { timeoutMs: 20_000 });
    const seconds = (Date.now() - started) / 1000;
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe(COMMAND_HELP[command]);
    expect(run.stderr).toBe("");
    expect(run.stderr).not.toContain("started: pid");
    expectNothingLeftOf(run);
    // Node's start and the bundle's load only (well under a second on an idle machine).
    expect(seconds).toBeLessThan(10);
  });

  it("loadgate --help and loadgate help: the overview", async () => {
    for (const args of [["--help"], ["help"]]) {
      const run = await runTagged(args, { timeoutMs: 20_000 });
      expect(run.code).toBe(0);
      expect(run.stdout).toBe(GLOBAL_HELP);
    }
  });
});
