import { readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { abWindowNote } from "../../src/ab/plan.js";
import { DEFAULT_COST_LIMIT } from "../../src/compare/gate.js";
import { planAction } from "../../src/config/action-plan.js";
import { planRun } from "../../src/config/cli-plan.js";
import { resultDocument } from "../../src/modes/document.js";
import type { StackResult } from "../../src/result/types.js";
import { runMain } from "../support/cli.js";
import { around, result } from "../support/results.js";
import { tempDir } from "../support/temp.js";
import { messageOf } from "../support/user-error.js";

const ROOT = resolve(import.meta.dirname, "../..");
const io = { cwd: ROOT, env: { PATH: process.env.PATH }, isTTY: false };

/** A stack file whose gate is the given YAML lines. */
function stackWith(gate: string): string {
  const dir = tempDir("lg-gate-flags-");
  const file = join(dir, "stack.yml");
  writeFileSync(file, `name: demo\napp:\n  command: python3 app.py {port}\ngate:\n${gate}`);
  return file;
}

const gateOf = (argv: string[]) => planRun(argv, io, "test").stacks[0].gate;

describe("the CLI gates as the Action does", () => {
  it("--p99-threshold and --throughput-threshold replace the stack file's gate.p99 and gate.throughput", () => {
    const file = stackWith('  p99: "+20%"\n  throughput: [">500/s", "-10%"]\n');
    expect(gateOf([file])).toMatchObject({ p99: 0.2, throughput: -0.1, slo: { p99Ms: null, throughput: 500 } });
    const gate = gateOf([file, "--p99-threshold", "+5%, <40ms", "--throughput-threshold", "-3%"]);
    expect(gate).toMatchObject({ p99: 0.05, throughput: -0.03, slo: { p99Ms: 40, throughput: null } });
  });

  it("the flags and the inputs take the same forms and refuse the same values, each under its own name", () => {
    const file = stackWith('  p99: "+20%"\n');
    expect(messageOf(() => gateOf([file, "--p99-threshold", "50ms"]))).toMatch(
      /^--p99-threshold: expected a growth like "\+10%" \(how much P99 may grow against the baseline\), an SLO like "<50ms"/,
    );
    const inputs: Record<string, string> = { mode: "report", "result-file": "r.json", "p99-threshold": "50ms" };
    const fromInput = messageOf(() =>
      planAction((name) => inputs[name] ?? "", { GITHUB_WORKSPACE: tmpdir(), PATH: process.env.PATH }),
    );
    expect(fromInput.replace(/^Input p99-threshold/, "--p99-threshold")).toBe(
      messageOf(() => gateOf([file, "--p99-threshold", "50ms"])),
    );
    expect(messageOf(() => gateOf([file, "--throughput-threshold", "+5%"]))).toMatch(/^--throughput-threshold:/);
  });

  it("--no-cost turns a stack file's cost gate off; --cost turns it on; both, or --no-cost with a limit, are refused", () => {
    const withCost = stackWith('  p99: "+10%"\n  cost: "+3%"\n');
    expect(gateOf([withCost]).cost).toBe(0.03);
    expect(gateOf([withCost, "--no-cost"]).cost).toBeNull();
    const without = stackWith('  p99: "+10%"\n');
    expect(gateOf([without]).cost).toBeNull();
    expect(gateOf([without, "--cost"]).cost).toBe(DEFAULT_COST_LIMIT);
    expect(messageOf(() => gateOf([without, "--cost", "--no-cost"]))).toBe("--cost and --no-cost: give one of them.");
    expect(messageOf(() => gateOf([without, "--no-cost", "--cost-limit", "+2%"]))).toMatch(
      /^--no-cost and --cost-limit: a cost limit turns the cost gate on/,
    );
  });
});

/** Two Result files in a folder: the baseline and a run whose P99 grew by `growth` (throughput unchanged). */
function resultPair(growth: number): { dir: string; base: string; head: string } {
  const dir = tempDir("lg-compare-");
  const write = (name: string, r: StackResult) => {
    writeFileSync(join(dir, name), JSON.stringify(resultDocument([r])));
    return join(dir, name);
  };
  return {
    dir,
    base: write("base.json", result(around(1000, 20, 8))),
    head: write("head.json", result(around(1000, 20 * (1 + growth), 8))),
  };
}

describe("loadgate compare", () => {
  it("judges with the default gate, the --stack file's gate, and the threshold flags over either", async () => {
    // P99 doubled (20 → 40 ms): a regression at the default +10%; within a stack file's +500%; a stack
    // file's SLO <30ms fails it; --p99-threshold replaces the stack file's p99 gate.
    const { dir, base, head } = resultPair(1);
    const loose = stackWith('  p99: "+500%"\n');
    const slo = stackWith('  p99: ["+500%", "<30ms"]\n');
    const run = async (argv: string[]) => (await runMain(["compare", base, head, ...argv], { cwd: dir })).code;
    expect(await run([])).toBe(1);
    expect(await run(["--stack", loose])).toBe(0);
    expect(await run(["--stack", slo])).toBe(1);
    expect(await run(["--stack", slo, "--p99-threshold", "+500%,<100ms"])).toBe(0);
    expect(await run(["--stack", loose, "--p99-threshold", "+500%,<30ms"])).toBe(1);
    expect(await run(["--p99-threshold", "+500%"])).toBe(0);
  });

  it("refuses a --stack naming no stack of the run, unknown flags and a bad threshold, exit 2", async () => {
    const { dir, base, head } = resultPair(0);
    const other = stackWith('  p99: "+20%"\n');
    writeFileSync(other, readFileSync(other, "utf8").replace("name: demo", "name: other"));
    const r = await runMain(["compare", base, head, "--stack", other], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('head.json has no stack named "other"; its stacks: demo.');
    const bad = await runMain(["compare", base, head, "--throughput-threshold", "+5%"], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--throughput-threshold: expected a drop like "-5%"/);
    const unknown = await runMain(["compare", base, head, "--duration", "5"], { cwd: dir });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('See "loadgate compare --help"');
  });
});

describe("the A/B windows", () => {
  it("are logged with where they come from, and say when the stack files' are set aside", () => {
    const flags = { duration: "--duration", warmup: "--warmup" };
    expect(abWindowNote({}, flags)).toBe(
      "A/B windows: 3 s measured after 2 s of warmup, each on fresh instances (the A/B default 3 s, the A/B default 2 s); " +
        "the stack files' load.duration and load.warmup are set aside (give --duration and --warmup to change the windows).",
    );
    expect(
      abWindowNote({ durationSeconds: 5, warmupSeconds: 1 }, { duration: "input duration", warmup: "input warmup" }),
    ).toBe(
      "A/B windows: 5 s measured after 1 s of warmup, each on fresh instances (input duration 5 s, input warmup 1 s).",
    );
  });
});

describe("the Action's trials and max-pairs under an A/B", () => {
  const plan = (inputs: Record<string, string>) => {
    const all: Record<string, string> = { mode: "report", "result-file": "r.json", ...inputs };
    return planAction((name) => all[name] ?? "", { GITHUB_WORKSPACE: tmpdir(), PATH: process.env.PATH });
  };
  it("refuses max-pairs below trials, as ab refuses --max-pairs below --min-pairs; compare: baseline counts trials", () => {
    expect(messageOf(() => plan({ trials: "10", "max-pairs": "6" }))).toBe(
      "Input max-pairs 6 is below input trials 10, the fewest A/B pairs under compare: merge-base: give a max-pairs of at least 10, or fewer trials.",
    );
    expect(plan({ trials: "10", "max-pairs": "6", compare: "baseline" }).ab.maxPairs).toBe(6);
    expect(plan({ trials: "10", "max-pairs": "12" }).ab.maxPairs).toBe(12);
  });
});
