import { readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { main } from "../../src/cli/main.js";
import { INPUTS, planAction } from "../../src/config/action-plan.js";
import { planRun } from "../../src/config/cli-plan.js";
import { parseDuration, parseErrorRate } from "../../src/config/duration.js";
import { loadStackFile } from "../../src/config/stack-file.js";
import { tempDir } from "../support/temp.js";
import { messageOf } from "../support/user-error.js";

const ROOT = resolve(import.meta.dirname, "../..");

/** A stack file whose gate.error-rate (line 6, value at column 15) is `value`, written as given. */
function stackWith(errorRate?: string): string {
  const dir = tempDir("lg-rate-");
  const file = join(dir, "stack.yml");
  const gate = errorRate === undefined ? "" : `  error-rate: ${errorRate}\n`;
  writeFileSync(file, `name: demo\napp:\n  command: python3 app.py {port}\ngate:\n  p99: "+10%"\n${gate}`);
  return file;
}

// The bad values every error-rate field must refuse, as a user would type them.
const BAD = ["10", "+10", "ten%", "1 %", ">1%", "200%"];

describe("gate.error-rate in the stack file", () => {
  it('reads "<N%" as a fraction, N from 0 to 100; "<1%" when absent', () => {
    expect(loadStackFile(stackWith()).gate.errorRate).toBe(0.01);
    expect(loadStackFile(stackWith('"<1%"')).gate.errorRate).toBe(0.01);
    expect(loadStackFile(stackWith("<2.5%")).gate.errorRate).toBeCloseTo(0.025, 10);
    expect(loadStackFile(stackWith('"<0%"')).gate.errorRate).toBe(0);
    expect(loadStackFile(stackWith('"<100%"')).gate.errorRate).toBe(1);
  });

  it("names file:line:column, the field, the expected form and what it found", () => {
    const expected =
      'gate.error-rate: expected "<N%" with N from 0 to 100, e.g. "<1%" (the most requests that may fail)';
    for (const bad of [...BAD, "<200%", "< 1%", "<1"]) {
      const file = stackWith(JSON.stringify(bad));
      const rel = relative(process.cwd(), file);
      expect(messageOf(() => loadStackFile(file))).toContain(
        `${rel}:6:15: ${expected}, found string ${JSON.stringify(bad)}.`,
      );
    }
    // Unquoted, YAML reads 10 and +10 as numbers.
    for (const bad of ["10", "+10"]) {
      const file = stackWith(bad);
      expect(messageOf(() => loadStackFile(file))).toContain(
        `${relative(process.cwd(), file)}:6:15: ${expected}, found number 10.`,
      );
    }
  });

  it("the other gate fields say their form the same way", () => {
    const file = stackWith();
    writeFileSync(file, 'name: demo\napp:\n  command: x\ngate:\n  p99: 10\n  throughput: "5%"\n');
    const message = messageOf(() => loadStackFile(file));
    expect(message).toContain(
      ':5:8: gate.p99: expected a growth like "+10%" (how much P99 may grow against the baseline), an SLO like "<50ms" (the P99 it must stay below), or a list of both (["+10%", "<50ms"]), found number 10.',
    );
    expect(message).toContain(
      ':6:15: gate.throughput: expected a drop like "-5%" (how much throughput may drop against the baseline), an SLO like ">1000/s" (the throughput it must stay above), or a list of both (["-5%", ">1000/s"]), found string "5%".',
    );
  });
});

describe("--max-error-rate", () => {
  const io = { cwd: ROOT, env: { PATH: process.env.PATH }, isTTY: false };

  it("overrides the stack file's gate.error-rate for run; the stack file's applies without it", () => {
    const file = stackWith('"<5%"');
    expect(planRun([file], io, "test").stacks[0].gate.errorRate).toBe(0.05);
    expect(planRun([file, "--max-error-rate", "1%"], io, "test").stacks[0].gate).toMatchObject({
      p99: 0.1,
      throughput: -0.05,
      slo: { p99Ms: null, throughput: null },
      errorRate: 0.01,
      cost: null,
      capacity: null,
    });
    expect(planRun([file, "--max-error-rate", "0%"], io, "test").stacks[0].gate.errorRate).toBe(0);
    expect(planRun([file, "--max-error-rate", "100%"], io, "test").stacks[0].gate.errorRate).toBe(1);
    // The stack file's form is understood too.
    expect(planRun([file, "--max-error-rate", "<0.5%"], io, "test").stacks[0].gate.errorRate).toBe(0.005);
    // A --target has no stack file: the default gate with the flag.
    expect(
      planRun(["--target", "http://127.0.0.1:9/x", "--max-error-rate", "2%"], io, "test").target?.gate,
    ).toMatchObject({
      p99: 0.1,
      throughput: -0.05,
      slo: { p99Ms: null, throughput: null },
      errorRate: 0.02,
      cost: null,
      capacity: null,
    });
  });

  it("refuses anything but a percentage from 0% to 100%, naming the flag and the value", () => {
    const file = stackWith();
    for (const bad of [...BAD, "101%", "-1%", ""]) {
      expect(messageOf(() => planRun([file, `--max-error-rate=${bad}`], io, "test"))).toBe(
        `--max-error-rate: expected a percentage from 0% to 100%, e.g. 1%, got ${JSON.stringify(bad)}.`,
      );
    }
  });

  // ab finds the repository and the base commit with git before it reads the flags.
  it("loadgate ab takes it too (exit 2 with the same message)", { tags: ["spawns"] }, async () => {
    let stderr = "";
    const code = await main({
      argv: ["ab", "HEAD", "test/fixtures/tiny", "--max-error-rate", "ten%"],
      cwd: ROOT,
      env: process.env,
      stdout: () => undefined,
      stderr: (t) => {
        stderr += t;
      },
      isTTY: false,
    });
    expect(code).toBe(2);
    expect(stderr).toBe('loadgate: --max-error-rate: expected a percentage from 0% to 100%, e.g. 1%, got "ten%".\n');
  });
});

describe("Action inputs max-error-rate, max-pairs, max-time", () => {
  /** planAction in report mode needs no stack file; the inputs are still all validated. */
  function plan(inputs: Record<string, string>) {
    const all: Record<string, string> = { mode: "report", "result-file": "r.json", ...inputs };
    return planAction((name) => all[name] ?? "", { GITHUB_WORKSPACE: tmpdir(), PATH: process.env.PATH });
  }

  it("are declared in action.yml, whose inputs the INPUTS constants mirror", () => {
    const declared = Object.keys(parse(readFileSync(join(ROOT, "action.yml"), "utf8")).inputs).sort();
    expect(Object.values(INPUTS).sort()).toEqual(declared);
    expect(declared).toEqual(expect.arrayContaining(["max-error-rate", "max-pairs", "max-time"]));
  });

  it("are optional: empty means the stack file's gate and the A/B defaults", () => {
    const p = plan({});
    expect(p.overrides.errorRate).toBeUndefined();
    expect(p.ab).toEqual({ maxPairs: null, maxTimeSeconds: null });
  });

  it("max-error-rate: a percentage from 0% to 100%", () => {
    expect(plan({ "max-error-rate": "1%" }).overrides.errorRate).toBe(0.01);
    expect(plan({ "max-error-rate": " 0.1% " }).overrides.errorRate).toBeCloseTo(0.001, 10);
    expect(plan({ "max-error-rate": "<3%" }).overrides.errorRate).toBe(0.03);
    for (const bad of BAD) {
      expect(messageOf(() => plan({ "max-error-rate": bad }))).toBe(
        `Input max-error-rate: expected a percentage from 0% to 100%, e.g. 1%, got ${JSON.stringify(bad)}.`,
      );
    }
  });

  it("max-pairs: a whole number from 2 to 200", () => {
    expect(plan({ "max-pairs": "2" }).ab.maxPairs).toBe(2);
    expect(plan({ "max-pairs": "200" }).ab.maxPairs).toBe(200);
    expect(plan({ "max-pairs": " 40\n" }).ab.maxPairs).toBe(40);
    for (const bad of ["1", "201", "8.5", "+10", "ten", "1e2", "0x10"]) {
      expect(messageOf(() => plan({ "max-pairs": bad }))).toBe(
        `Input max-pairs: expected a whole number from 2 to 200, got ${JSON.stringify(bad)}.`,
      );
    }
  });

  it("max-time: seconds above zero, with the duration units", () => {
    expect(plan({ "max-time": "900" }).ab.maxTimeSeconds).toBe(900);
    expect(plan({ "max-time": "900s" }).ab.maxTimeSeconds).toBe(900);
    expect(plan({ "max-time": "15m" }).ab.maxTimeSeconds).toBe(900);
    expect(plan({ "max-time": "2.5m" }).ab.maxTimeSeconds).toBe(150);
    for (const bad of ["0", "-5", "+10", "1h", "15 minutes", "ten"]) {
      expect(messageOf(() => plan({ "max-time": bad }))).toBe(
        `Input max-time: expected seconds above zero (e.g. 900, 900s, 15m), got ${JSON.stringify(bad)}.`,
      );
    }
  });
});

describe("the one duration and error-rate parsers", () => {
  it("parseDuration reads plain seconds too, for the flags and inputs", () => {
    expect(parseDuration("10")).toBe(10);
    expect(parseDuration(" 15m ")).toBe(900);
    expect(parseDuration("+10")).toBeNaN();
  });

  it("parseErrorRate: the stack file's form needs the <", () => {
    expect(parseErrorRate("<1%", "<N%")).toBe(0.01);
    expect(parseErrorRate("1%", "<N%")).toBeNaN();
    expect(parseErrorRate("1%", "N%")).toBe(0.01);
    expect(parseErrorRate("<100.0%", "N%")).toBe(1);
    expect(parseErrorRate("100.1%", "N%")).toBeNaN();
  });
});
