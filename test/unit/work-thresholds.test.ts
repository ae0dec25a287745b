// The work gate's keys given by flags (--statements-threshold, …) and Action inputs (statements-threshold,
// …): the same forms as the stack file's gate.statements, validated in the one plan, each named as its
// source names it.
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_GATE, DEFAULT_WORK_GATE } from "../../src/compare/gate.js";
import { planAction } from "../../src/config/action-plan.js";
import { planRun } from "../../src/config/cli-plan.js";
import { tempDir } from "../support/temp.js";
import { messageOf } from "../support/user-error.js";

const ROOT = resolve(import.meta.dirname, "../..");
const io = { cwd: ROOT, env: { PATH: process.env.PATH }, isTTY: false };

/** A stack file in a workspace of its own, its gate the given YAML lines. */
function workspaceWith(gate: string): { dir: string; file: string } {
  const dir = tempDir("lg-work-thresholds-");
  const file = join(dir, "stack.yml");
  writeFileSync(file, `name: demo\napp:\n  command: python3 app.py {port}\ngate:\n  p99: "+10%"\n${gate}`);
  return { dir, file };
}

const flagsGate = (argv: string[]) => planRun(argv, io, "test").stacks[0].gate;

/** The Action's plan in gate mode with the stack of `dir` and these inputs. */
function inputsGate(dir: string, inputs: Record<string, string>) {
  const all: Record<string, string> = { mode: "gate", compare: "baseline", stack: "stack.yml", ...inputs };
  return planAction((name) => all[name] ?? "", { GITHUB_WORKSPACE: dir, PATH: process.env.PATH }).stacks[0].gate;
}

const FLAGS = ["statements-threshold", "rows-threshold", "pages-threshold", "connections-threshold"];

describe("the work gate's limits from flags and inputs", () => {
  it("each replaces its key of the stack file's gate; the keys not given keep the stack file's (or the default)", () => {
    const { dir, file } = workspaceWith('  statements: "<4"\n  rows: "+5%"\n');
    expect(flagsGate([file]).work).toEqual({
      ...DEFAULT_WORK_GATE,
      statements: { kind: "below", max: 4 },
      rows: { kind: "growth", limit: 0.05 },
    });
    const expected = {
      statements: { kind: "growth", limit: 0.25 },
      rows: { kind: "growth", limit: 0.05 },
      pages: null,
      connections: { kind: "below", max: 1 },
    };
    const given = { "statements-threshold": "+25%", "pages-threshold": "off", "connections-threshold": "<1" };
    expect(flagsGate([file, ...Object.entries(given).flatMap(([k, v]) => [`--${k}`, v])]).work).toEqual(expected);
    expect(inputsGate(dir, given).work).toEqual(expected);
    // Empty inputs are not given.
    expect(inputsGate(dir, { "statements-threshold": " ", "rows-threshold": "" }).work).toEqual(flagsGate([file]).work);
  });

  it("refuse what gate.statements refuses, naming the flag or the input and the forms", () => {
    const { dir, file } = workspaceWith("");
    for (const name of FLAGS) {
      for (const bad of ["10%", "-10%", "<0", "<4ms", "lots"]) {
        const flag = messageOf(() => flagsGate([file, `--${name}`, bad]));
        expect(flag).toMatch(new RegExp(`^--${name}: expected (a growth like "\\+10%"|a ceiling above zero)`));
        expect(flag).toContain(JSON.stringify(bad));
        expect(messageOf(() => inputsGate(dir, { [name]: bad }))).toBe(flag.replace(`--${name}`, `Input ${name}`));
      }
    }
  });

  it("a --target's gate (the default gate) takes them too", () => {
    const { file } = workspaceWith("");
    expect(flagsGate([file]).work).toEqual(DEFAULT_WORK_GATE);
    const target = planRun(["--target", "http://127.0.0.1:9/x", "--rows-threshold", "<3"], io, "test").target!;
    expect(target.gate.work).toEqual({ ...DEFAULT_GATE.work, rows: { kind: "below", max: 3 } });
  });
});
