import { writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_GATE } from "../../src/compare/gate.js";
import { metricAlpha, testedCount } from "../../src/compare/risk.js";
import { applyOverrides } from "../../src/config/apply.js";
import { planRun } from "../../src/config/cli-plan.js";
import { costInput, parseOverrides } from "../../src/config/overrides.js";
import { loadStackFile } from "../../src/config/stack-file.js";
import {
  chunkSize,
  dumpTotal,
  jitRuntime,
  parseDumpName,
  parseVgdbList,
  robustSpread,
  valgrindCommand,
  valgrindGuestCpu,
} from "../../src/cost/callgrind.js";
import { costPlanOf } from "../../src/cost/run.js";
import { ASSUMED_COST_RUN_SD, costVerdict, fingerprintDifferences } from "../../src/cost/verdict.js";
import { verdictReport } from "../../src/report/terminal.js";
import { parseResultDocument } from "../../src/result/read.js";
import type { CostRecord, StackResult } from "../../src/result/types.js";
import { compareWithBaseline } from "../../src/verdict/stored.js";
import { around, result } from "../support/results.js";
import { tempDir } from "../support/temp.js";
import { messageOf } from "../support/user-error.js";

const FINGERPRINT = { arch: "x64", guestCpu: "amd64-avx2", valgrind: "valgrind-3.19.0", versions: { glibc: "2.36" } };

/** A cost record whose chunks are `perRequest` with a small deterministic wiggle (±0.05%). */
function cost(perRequest: number, over: Partial<CostRecord> = {}): CostRecord {
  const wiggle = [0, 0.0005, -0.0005, 0.0003, -0.0003, 0.0001, -0.0001, 0.0004, -0.0004, 0.0002];
  const chunks = wiggle.map((w) => perRequest * (1 + w));
  return {
    tool: "callgrind",
    valgrind: "valgrind-3.19.0",
    command: "gunicorn app:app",
    warmupRequests: 100,
    chunkRequests: 100,
    chunks,
    perRequest,
    spread: robustSpread(chunks),
    processes: [{ pid: 10, command: "gunicorn app:app", chunks }],
    idlePerSecond: 0,
    chunkSeconds: chunks.map(() => 1),
    seconds: 25,
    fingerprint: FINGERPRINT,
    warnings: [],
    ...over,
  };
}

const withCost = (r: StackResult, c: CostRecord): StackResult => ({ ...r, cost: c });
const gate = { ...DEFAULT_GATE, p99: 0.1, throughput: -0.05, errorRate: 0.01, cost: 0.01 };
const alpha = metricAlpha({ alpha: 0.05, stacks: 1, looks: 1 }, 3);

describe("callgrind's output", () => {
  it("reads a dump's instructions from its summary (or totals) line", () => {
    expect(dumpTotal("version: 1\ncreator: callgrind-3.19.0\nevents: Ir\nsummary: 86557123\n\nfn=(1) main\n")).toBe(
      86557123,
    );
    expect(dumpTotal("events: Ir\ntotals: 42\n")).toBe(42);
    expect(dumpTotal("events: Ir\n")).toBeUndefined();
  });
  it("names dumps per process and number; the final dump at exit has no number", () => {
    expect(parseDumpName("callgrind.out.4711.3")).toEqual({ pid: 4711, n: 3 });
    expect(parseDumpName("callgrind.out.4711")).toBeUndefined();
    expect(parseDumpName("postgres.log")).toBeUndefined();
  });
  it("lists the processes vgdb knows, without valgrind's own options", () => {
    const text =
      "use --pid=7839 for /usr/bin/valgrind.bin --tool=callgrind --trace-children=yes --vgdb=yes gunicorn --workers 1 app:app \n" +
      "use --pid=7840 for /usr/bin/valgrind.bin --tool=callgrind gunicorn --workers 1 app:app \n";
    expect(parseVgdbList(text)).toEqual([
      { pid: 7839, command: "gunicorn --workers 1 app:app" },
      { pid: 7840, command: "gunicorn --workers 1 app:app" },
    ]);
    expect(parseVgdbList("")).toEqual([]);
  });
  it("wraps the command in valgrind with the run folder quoted for the shell", () => {
    const cmd = valgrindCommand("gunicorn app:app", "/tmp/run dir", "/usr/bin/valgrind");
    expect(cmd.startsWith("/usr/bin/valgrind --tool=callgrind --trace-children=yes")).toBe(true);
    expect(cmd).toContain("'--callgrind-out-file=/tmp/run dir/callgrind.out.%p'");
    expect(cmd).toContain("'--vgdb-prefix=/tmp/run dir/vgdb'");
    expect(cmd.endsWith(" gunicorn app:app")).toBe(true);
  });
  it("rounds a chunk up to whole turns through the stack's requests", () => {
    expect(chunkSize(100, 1)).toBe(100);
    expect(chunkSize(100, 3)).toBe(102);
    expect(chunkSize(5, 2)).toBe(6);
  });
  it("measures the chunks' spread robustly: one odd chunk (a full GC) does not move it", () => {
    const steady = [100, 100.1, 99.9, 100, 100.05, 99.95, 100, 100, 100.02, 99.98];
    expect(robustSpread(steady)).toBeLessThan(0.001);
    expect(robustSpread([...steady.slice(0, 9), 110])).toBeLessThan(0.001);
    expect(robustSpread([100, 102, 98, 101, 99, 103, 97])).toBeGreaterThan(0.01);
  });
  it("knows the CPU valgrind presents, by the host's features", () => {
    expect(valgrindGuestCpu("x64", "fpu sse4_2 cx16 avx avx2 bmi1 bmi2 avx512f sha_ni f16c rdrand")).toBe(
      "amd64-avx2+f16c+rdrand",
    );
    // AVX-512 and SHA on the host make no difference: valgrind presents a Haswell either way.
    expect(valgrindGuestCpu("x64", "cx16 avx avx2 bmi1 bmi2 f16c rdrand")).toBe("amd64-avx2+f16c+rdrand");
    expect(valgrindGuestCpu("x64", "cx16 sse4_2 avx")).toBe("amd64-avx");
    expect(valgrindGuestCpu("x64", "cx16 sse4_2")).toBe("amd64-sse4.2");
    expect(valgrindGuestCpu("arm64", "")).toBe("arm64");
  });
  it("recognises runtimes that compile at run time", () => {
    expect(jitRuntime(["/usr/bin/node server.js"])).toBe("node");
    expect(jitRuntime(["java -jar app.jar"])).toBe("java");
    expect(jitRuntime(["pypy3 app.py"])).toBe("pypy3");
    expect(jitRuntime(["gunicorn app:app", "python3 app.py"])).toBeUndefined();
  });
});

describe("the cost verdict", () => {
  it("A/A: the same count passes", () => {
    const v = costVerdict(cost(865_000), cost(865_300), 0.01, alpha).verdict;
    expect(v.metric).toBe("cost");
    expect(v.gated).toBe(true);
    expect(v.verdict).toBe("pass");
    expect(v.ci.hi).toBeLessThan(0.01);
  });
  it("a 2% increase is a regression at a +1% limit; 0.1% is within it", () => {
    expect(costVerdict(cost(865_000), cost(865_000 * 1.02), 0.01, alpha).verdict.verdict).toBe("regression");
    expect(costVerdict(cost(865_000), cost(865_000 * 1.001), 0.01, alpha).verdict.verdict).toBe("pass");
    expect(costVerdict(cost(865_000), cost(865_000 * 0.97), 0.01, alpha).verdict.verdict).toBe("improvement");
  });
  it("widens the chunks' interval by the run-to-run spread they cannot show", () => {
    const v = costVerdict(cost(865_000), cost(865_000), 0.01, alpha).verdict;
    expect(v.ci.hi - v.ci.lo).toBeGreaterThan(2 * Math.SQRT2 * ASSUMED_COST_RUN_SD);
  });
  it("stands down (shown, not gated) when the chunks wander by more than half the limit, naming a JIT", () => {
    const wild = cost(865_000, {
      chunks: [850e3, 880e3, 860e3, 875e3, 845e3, 890e3, 865e3, 870e3, 855e3, 872e3],
      processes: [{ pid: 1, command: "node server.js", chunks: [] }],
    });
    wild.spread = robustSpread(wild.chunks);
    const c = costVerdict(cost(865_000), wild, 0.01, alpha);
    expect(c.verdict.gated).toBe(false);
    expect(c.verdict.threshold).toBeNull();
    expect(c.notes.join(" ")).toMatch(/node compiles at run time.*timing decides/);
  });
  it("a cost-only comparison whose count wanders decides nothing: inconclusive, not pass", () => {
    const wild = cost(865_000, { chunks: [850e3, 880e3, 860e3, 875e3, 845e3, 890e3, 865e3, 870e3, 855e3, 872e3] });
    wild.spread = robustSpread(wild.chunks);
    const costOnly = (c: CostRecord) => ({ ...result(around(1000, 20, 5)), trials: [], cost: c });
    const c = compareWithBaseline(costOnly(cost(865_000)), costOnly(wild), gate);
    expect(c.headline).toBe("inconclusive");
    expect(c.notes.join(" ")).toMatch(/Nothing was gated/);
  });
  it("compares fingerprints, not CPU models: what valgrind presents, valgrind, glibc, the interpreter", () => {
    expect(fingerprintDifferences(FINGERPRINT, { ...FINGERPRINT })).toEqual([]);
    expect(fingerprintDifferences(FINGERPRINT, { ...FINGERPRINT, guestCpu: "amd64-avx" })).toEqual([
      "CPU seen under valgrind amd64-avx2 → amd64-avx",
    ]);
    expect(fingerprintDifferences(FINGERPRINT, { ...FINGERPRINT, versions: { glibc: "2.39" } })).toEqual([
      "glibc 2.36 → 2.39",
    ]);
  });
});

describe("the cost row in a comparison", () => {
  const base = result(around(1000, 20, 5));
  it("adds the cost row beside the timing rows, splitting α over 3 tested metrics", () => {
    const c = compareWithBaseline(
      withCost(base, cost(865_000)),
      withCost(result(around(1000, 20, 5)), cost(865_000 * 1.03)),
      gate,
    );
    const row = c.metrics.find((m) => m.metric === "cost")!;
    expect(row.verdict).toBe("regression");
    expect(c.headline).toBe("regression");
    expect(testedCount(gate)).toBe(3);
    expect(row.requested).toBeCloseTo(1 - 2 * (0.05 / 3), 6);
    expect(verdictReport("demo", c)).toMatch(/App instructions per request\s+865\.0k\s+891\.0k\s+\+3\.00%/);
  });
  it("without the cost gate there is no cost row", () => {
    const c = compareWithBaseline(withCost(base, cost(865_000)), withCost(base, cost(900_000)), {
      ...gate,
      cost: null,
    });
    expect(c.metrics.some((m) => m.metric === "cost")).toBe(false);
  });
  it("compares the cost alone across machines whose timings cannot be compared", () => {
    const elsewhere = withCost(result(around(1000, 20, 5), { cpuModel: "Other CPU" }), cost(865_000 * 1.03));
    const c = compareWithBaseline(withCost(base, cost(865_000)), elsewhere, gate);
    expect(c.headline).toBe("regression");
    expect(c.metrics.map((m) => m.metric)).toEqual(["cost"]);
    expect(c.notes[0]).toMatch(/Timings were not compared: .*CPU Test CPU → Other CPU/);
    // Without a cost gate, another machine is still no-baseline.
    expect(compareWithBaseline(base, elsewhere, { ...gate, cost: null }).headline).toBe("no-baseline");
  });
  it("says why there is no cost row: no cost run in the baseline, or another fingerprint", () => {
    const c = compareWithBaseline(base, withCost(base, cost(865_000)), gate);
    expect(c.notes.join(" ")).toMatch(/baseline has no cost run/);
    const d = compareWithBaseline(
      withCost(base, cost(865_000, { fingerprint: { ...FINGERPRINT, valgrind: "valgrind-3.22.0" } })),
      withCost(base, cost(865_000)),
      gate,
    );
    expect(d.notes.join(" ")).toMatch(/Instruction counts were not compared: valgrind-3.22.0 → valgrind-3.19.0/);
  });
});

function stackFile(extra: string): string {
  const dir = tempDir("lg-cost-");
  const file = join(dir, "stack.yml");
  writeFileSync(file, `name: demo\napp:\n  command: gunicorn --workers {workers} app:app\n  workers: 4\n${extra}`);
  return file;
}

describe("turning the cost run on", () => {
  const io = { cwd: process.cwd(), env: {}, isTTY: false };
  it("is off by default; on with gate.cost, --cost (at +1%) or --cost-limit", () => {
    expect(planRun([stackFile("")], io, "t").stacks[0].gate.cost).toBeNull();
    expect(planRun([stackFile('gate:\n  cost: "+2%"\n')], io, "t").stacks[0].gate.cost).toBeCloseTo(0.02, 10);
    expect(planRun([stackFile(""), "--cost"], io, "t").stacks[0].gate.cost).toBe(0.01);
    expect(planRun([stackFile(""), "--cost-limit", "+0.5%"], io, "t").stacks[0].gate.cost).toBe(0.005);
    expect(planRun([stackFile('gate:\n  cost: "+2%"\n'), "--cost"], io, "t").stacks[0].gate.cost).toBeCloseTo(0.02, 10);
  });
  it("the Action's cost input: true, false (off whatever the stack file says) or a limit", () => {
    const spec = loadStackFile(stackFile('gate:\n  cost: "+2%"\n'));
    expect(applyOverrides(spec, costInput("false")).gate.cost).toBeNull();
    expect(applyOverrides(spec, costInput("true")).gate.cost).toBeCloseTo(0.02, 10);
    expect(applyOverrides(spec, costInput("+3%")).gate.cost).toBeCloseTo(0.03, 10);
    expect(applyOverrides(spec, costInput("")).gate.cost).toBeCloseTo(0.02, 10);
    expect(() => costInput("yes")).toThrow(/Input cost: expected true, false or a limit like "\+1%".*"yes"/);
    expect(() => costInput("-1%")).toThrow(/Input cost/);
  });
  it("refuses a bad --cost-limit and --cost with --target", () => {
    expect(() => parseOverrides({ "cost-limit": "ten" })).toThrow(/--cost-limit: expected a percentage/);
    expect(() => parseOverrides({ "cost-limit": "0%" })).toThrow(/--cost-limit/);
    expect(parseOverrides({ "cost-limit": "2%" }).costLimit).toBeCloseTo(0.02, 10);
    expect(() => planRun(["--target", "http://127.0.0.1:9/x", "--cost"], io, "t")).toThrow(/needs a stack file/);
  });
  it("reads the cost section with its defaults, and names a bad field with its line", () => {
    const spec = loadStackFile(stackFile("cost:\n  command: gunicorn --workers 1 app:app\n  chunks: 5\n  gap: 2ms\n"));
    expect(spec.cost).toMatchObject({ command: "gunicorn --workers 1 app:app", chunks: 5, chunkRequests: 100 });
    expect(spec.cost.gapSeconds).toBeCloseTo(0.002, 10);
    expect(loadStackFile(stackFile("")).cost).toMatchObject({ command: null, warmupRequests: 100, chunks: 10 });
    const bad = stackFile("cost:\n  chunks: 1\n  gap: soon\n");
    const rel = relative(process.cwd(), bad);
    const msg = messageOf(() => loadStackFile(bad));
    expect(msg).toContain(`${rel}:6:11: cost.chunks: expected`);
    const gap = stackFile("cost:\n  gap: soon\n");
    expect(messageOf(() => loadStackFile(gap))).toContain(
      `${relative(process.cwd(), gap)}:6:8: cost.gap: expected a duration of zero or more`,
    );
    const gateBad = stackFile('gate:\n  cost: "1%"\n');
    expect(messageOf(() => loadStackFile(gateBad))).toContain(
      'gate.cost: expected a percentage like "+1%" (how much the app\'s instructions per request may grow), found string "1%".',
    );
  });
  it("the cost plan: one worker, the cost command under valgrind, seeds fixed, the stack's own env on top", () => {
    const spec = loadStackFile(stackFile("  env: { PYTHONHASHSEED: '7' }\ncost:\n  env: { EXTRA: 1 }\n"));
    const plan = costPlanOf(applyOverrides(spec, { cost: true }), "/usr/bin/valgrind");
    expect(plan.workers).toBe(1);
    expect(plan.spec.app.command).toMatch(
      /^\/usr\/bin\/valgrind --tool=callgrind .* gunicorn --workers \{workers\} app:app$/,
    );
    expect(plan.spec.app.env).toMatchObject({ PYTHONHASHSEED: "7", LOADGATE_SEED: "1", EXTRA: "1" });
    expect(plan.spec.app.ready.timeoutSeconds).toBe(180);
  });
});

describe("a Result with a cost run", () => {
  const doc = (r: unknown) =>
    JSON.stringify({ schemaVersion: 1, tool: { name: "loadgate", version: "t" }, createdAt: "", results: [r] });
  it("reads back a cost-only Result (no timed trials)", () => {
    const r = { ...result(around(1000, 20, 5)), trials: [], cost: cost(865_000) };
    const back = parseResultDocument(doc(JSON.parse(JSON.stringify(r))), "cost.json");
    expect(back.results[0].cost?.perRequest).toBe(865_000);
  });
  it("refuses a forged cost record, naming the field", () => {
    const r = { ...result(around(1000, 20, 5)), cost: { ...cost(865_000), chunks: [1, -5] } };
    expect(() => parseResultDocument(doc(r), "forged.json")).toThrow(
      /forged\.json: results\[0\]\.cost\.chunks: expected a list of at least 2 positive numbers/,
    );
    const noTrials = { ...result(around(1000, 20, 5)), trials: [] };
    expect(() => parseResultDocument(doc(noTrials), "empty.json")).toThrow(
      /results\[0\]\.trials: expected a non-empty list/,
    );
  });
});
