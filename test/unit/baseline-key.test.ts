import { tmpdir } from "node:os";
import { describe, expect, it } from "vitest";
import { DEFAULT_GATE } from "../../src/compare/gate.js";
import { planAction } from "../../src/config/action-plan.js";
import { planRun } from "../../src/config/cli-plan.js";
import { parseAge } from "../../src/config/duration.js";
import { formatAge } from "../../src/report/format.js";
import { baselineAgeLines } from "../../src/report/markdown.js";
import { parseBaselineKey, withBaselineKey } from "../../src/result/environment.js";
import { compareWithBaseline } from "../../src/verdict/stored.js";
import { around, result } from "../support/results.js";
import { messageOf } from "../support/user-error.js";

const gate = { ...DEFAULT_GATE, p99: 0.1, throughput: -0.05, errorRate: 0.01 };

describe("baseline-key: a class of runners in place of the machine", () => {
  const here = result(around(1000, 40), { cpuModel: "AMD EPYC 7763", postgresql: "16.4" });
  const there = result(around(1000, 40), { cpuModel: "Intel Xeon Platinum 8370C", postgresql: "16.6" });

  it("without a key, another CPU or version is another environment", () => {
    const c = compareWithBaseline(here, there, gate);
    expect(c.headline).toBe("no-baseline");
    expect(c.reason).toMatch(/CPU AMD EPYC 7763 → Intel Xeon Platinum 8370C; postgresql 16\.4 → 16\.6/);
  });

  it("under one key both get the same id, are compared, and the differences are listed", () => {
    const a = withBaselineKey(here, "ci-4cpu");
    const b = withBaselineKey(there, "ci-4cpu");
    expect(a.environment.id).toBe(b.environment.id);
    expect(a.environment.id).not.toBe(here.environment.id);
    expect(a.environment.cpuModel).toBe("AMD EPYC 7763"); // the facts are kept
    const c = compareWithBaseline(a, b, gate);
    expect(c.headline).not.toBe("no-baseline");
    expect(c.notes.join("\n")).toMatch(
      /Compared under baseline key ci-4cpu, which stands for these differences from the baseline's environment: CPU AMD EPYC 7763 → Intel Xeon Platinum 8370C; postgresql 16\.4 → 16\.6\./,
    );
    // Identical machines need no note.
    expect(compareWithBaseline(a, withBaselineKey(here, "ci-4cpu"), gate).notes.join("\n")).not.toMatch(/baseline key/);
  });

  it("the stack file still decides, and another key (or none) is another environment", () => {
    const changed = result(around(1000, 40), { stackFileHash: "def" });
    expect(withBaselineKey(changed, "k").environment.id).not.toBe(withBaselineKey(here, "k").environment.id);
    expect(withBaselineKey(here, "k1").environment.id).not.toBe(withBaselineKey(here, "k2").environment.id);
    const c = compareWithBaseline(here, withBaselineKey(here, "ci-4cpu"), gate);
    expect(c.headline).toBe("no-baseline");
    expect(c.reason).toMatch(/baseline key none → ci-4cpu/);
    expect(withBaselineKey(here, null)).toBe(here);
  });

  it("takes a short name; the input and the flag say what they expect", () => {
    expect(parseBaselineKey(" ubuntu-24.04_4cpu ")).toBe("ubuntu-24.04_4cpu");
    for (const bad of ["", "-x", "a b", "a/b", "x".repeat(65), "ключ"]) expect(parseBaselineKey(bad)).toBeNull();
    const plan = (inputs: Record<string, string>) => {
      const all: Record<string, string> = { mode: "report", "result-file": "r.json", ...inputs };
      return planAction((name) => all[name] ?? "", { GITHUB_WORKSPACE: tmpdir(), PATH: process.env.PATH });
    };
    expect(plan({ "baseline-key": "ci-4cpu" }).baselineKey).toBe("ci-4cpu");
    expect(plan({}).baselineKey).toBeNull();
    expect(messageOf(() => plan({ "baseline-key": "my runners" }))).toMatch(
      /^Input baseline-key: expected a name of 1 to 64 letters, digits, "\.", "_" or "-" .*got "my runners"\.$/,
    );
    expect(plan({ "max-baseline-age": "7d" }).maxBaselineAgeSeconds).toBe(7 * 86400);
    expect(messageOf(() => plan({ "max-baseline-age": "7" }))).toMatch(
      /^Input max-baseline-age: expected an age above zero with a unit, e.g. 7d, 36h or 90m, got "7"\.$/,
    );
    const io = { cwd: tmpdir(), env: { PATH: process.env.PATH }, isTTY: false };
    expect(messageOf(() => planRun(["--target", "http://127.0.0.1:9/", "--baseline-key", "a b"], io, "t"))).toMatch(
      /^--baseline-key: expected a name/,
    );
    expect(planRun(["--target", "http://127.0.0.1:9/", "--baseline-key", "ci"], io, "t").baselineKey).toBe("ci");
  });
});

describe("the baseline's age", () => {
  it("reads ages with a unit and shows them at a sensible scale", () => {
    expect(parseAge("36h")).toBe(36 * 3600);
    expect(parseAge("1.5d")).toBe(1.5 * 86400);
    expect(parseAge("90m")).toBe(5400);
    for (const bad of ["7", "d", "-1d", "7 days", "7w"]) expect(parseAge(bad)).toBeNaN();
    expect(formatAge(45)).toBe("45 s");
    expect(formatAge(600)).toBe("10 min");
    expect(formatAge(5 * 3600)).toBe("5.0 h");
    expect(formatAge(9.8 * 86400)).toBe("9.8 days");
  });

  it("says which commit, when and how long ago; warns only past the limit", () => {
    const a = {
      sha: "3f2a9c1d0b7e4f5a6b7c8d9e0f1a2b3c4d5e6f70",
      createdAt: "2026-11-20T08:12:33.000Z",
      ageSeconds: 9.8 * 86400,
      limitSeconds: null,
    };
    expect(baselineAgeLines(a)).toEqual({
      line: "Stored baseline: commit `3f2a9c1d0b7e`, measured 2026-11-20 08:12 UTC, 9.8 days ago.",
    });
    expect(baselineAgeLines({ ...a, limitSeconds: 14 * 86400 }).warning).toBeUndefined();
    expect(baselineAgeLines({ ...a, limitSeconds: 7 * 86400 }).warning).toMatch(
      /^The stored baseline is 9\.8 days old, older than max-baseline-age \(7\.0 days\)/,
    );
    // A forged time or commit stays data.
    expect(baselineAgeLines({ ...a, createdAt: "yesterday" }).line).toContain("at an unknown time");
    expect(baselineAgeLines({ ...a, sha: "<img src=x>`" }).line).not.toContain("<img");
  });
});
