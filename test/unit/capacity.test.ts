import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CAPACITY_DEFAULTS, capacityStep, type Probe, probePasses } from "../../src/capacity/search.js";
import { addCapacity } from "../../src/capacity/verdict.js";
import type { CapacityGate } from "../../src/compare/gate.js";
import type { MetricVerdict } from "../../src/compare/metrics.js";
import { loadStackFile, parseCapacityGate } from "../../src/config/stack-file.js";
import { formatConfidence, formatLimit } from "../../src/report/format.js";
import { tempDir } from "../support/temp.js";

const limits = { sloP99Ms: 50, ...CAPACITY_DEFAULTS };

/** Runs the search against a constructed service: P99 within the SLO up to `knee` req/s, far above it beyond. */
function searchOver(closed: number, knee: number, l = limits) {
  const probes: Probe[] = [];
  for (;;) {
    const step = capacityStep(closed, probes, l);
    if ("capacity" in step) return { ...step, probes };
    const ok = step.next <= knee;
    const achieved = ok ? step.next : knee;
    const p99 = ok ? 10 : 900;
    probes.push({
      rate: step.next,
      achieved,
      p99,
      errors: 0,
      pass: probePasses(step.next, achieved, p99, 0, l.sloP99Ms),
    });
  }
}

describe("capacity at an SLO", () => {
  it("a probe passes only within the SLO, with no errors, serving what was asked", () => {
    expect(probePasses(1000, 1000, 49, 0, 50)).toBe(true);
    expect(probePasses(1000, 1000, 51, 0, 50)).toBe(false);
    expect(probePasses(1000, 1000, 10, 1, 50)).toBe(false);
    expect(probePasses(1000, 900, 10, 0, 50)).toBe(false); // fell behind
    expect(probePasses(1000, 1000, Number.NaN, 0, 50)).toBe(false);
  });
  it("brackets the knee within the resolution and answers the highest rate that passed", () => {
    const r = searchOver(2500, 2200);
    expect(r.capacity).toBeLessThanOrEqual(2200);
    expect(r.capacity).toBeGreaterThanOrEqual(2200 * (1 - CAPACITY_DEFAULTS.resolution) - 10);
    expect(r.probes.length).toBeLessThanOrEqual(CAPACITY_DEFAULTS.maxProbes);
    expect(r.reason).toMatch(/bracketed within 5%/);
  });
  it("respects the probe bound and the ceiling", () => {
    const few = searchOver(2500, 2200, { ...limits, maxProbes: 2 });
    expect(few.probes).toHaveLength(2);
    expect(few.reason).toMatch(/2 probes/);
    const easy = searchOver(1000, 1e9);
    expect(easy.capacity).toBe(1250);
    expect(easy.reason).toMatch(/ceiling/);
  });
  it("a service that never keeps the SLO has capacity 0, found by halving", () => {
    const r = searchOver(1000, 0.5);
    expect(r.capacity).toBe(0);
    expect(r.probes.every((p) => !p.pass)).toBe(true);
  });
});

describe("the capacity gate", () => {
  const rec = (rate: number, slo = 50) => ({
    sloP99Ms: slo,
    rate,
    closedLoopThroughput: rate,
    probes: [],
    reason: "",
    seconds: 10,
  });
  const row = (base: number | undefined, head: number, gate: CapacityGate, slo = 50) => {
    const metrics: MetricVerdict[] = [];
    const notes: string[] = [];
    addCapacity(metrics, notes, base === undefined ? undefined : rec(base), rec(head, slo), { capacity: gate });
    return { row: metrics[0], notes };
  };
  it("reads a drop or a floor from the stack file, and needs the SLO", () => {
    expect(parseCapacityGate("-10%")).toEqual({ kind: "drop", limit: -0.1 });
    expect(parseCapacityGate(">800/s")).toEqual({ kind: "floor", rate: 800 });
    const dir = tempDir("lg-capgate-");
    const file = join(dir, "stack.yml");
    writeFileSync(file, 'name: demo\napp:\n  command: x {port}\ngate:\n  capacity: "-10%"\n');
    expect(() => loadStackFile(file)).toThrow(
      /stack\.yml:5:13: gate\.capacity: needs the SLO it is measured at: add capacity: \{ slo-p99: "50ms" \}/,
    );
    writeFileSync(
      file,
      'name: demo\napp:\n  command: x {port}\ngate:\n  capacity: "10%"\ncapacity: { slo-p99: 50ms }\n',
    );
    expect(() => loadStackFile(file)).toThrow(/gate\.capacity: expected a drop like "-10%" or a floor like ">800\/s"/);
    writeFileSync(
      file,
      'name: demo\napp:\n  command: x {port}\ngate:\n  capacity: ">800/s"\ncapacity: { slo-p99: 50ms, max-probes: 3 }\n',
    );
    const spec = loadStackFile(file);
    expect(spec.gate.capacity).toEqual({ kind: "floor", rate: 800 });
    expect(spec.capacity).toEqual({ sloP99Ms: 50, maxProbes: 3, probeWarmupSeconds: 1, probeSeconds: 3 });
  });
  it("reads each probe's warmup and window from the stack file, 1 s and 3 s by default, and refuses zero", () => {
    const file = join(tempDir("lg-capprobe-"), "stack.yml");
    writeFileSync(
      file,
      "name: demo\napp:\n  command: x {port}\ncapacity: { probe-warmup: 500ms, probe-duration: 10s }\n",
    );
    expect(loadStackFile(file).capacity).toMatchObject({ probeWarmupSeconds: 0.5, probeSeconds: 10 });
    writeFileSync(file, 'name: demo\napp:\n  command: x {port}\ncapacity: { probe-duration: "0s" }\n');
    expect(() => loadStackFile(file)).toThrow(
      /capacity\.probe-duration: expected a duration above zero \(e\.g\. "3s"\), found/,
    );
    writeFileSync(file, 'name: demo\napp:\n  command: x {port}\ncapacity: { probe-warmup: "soon" }\n');
    expect(() => loadStackFile(file)).toThrow(/capacity\.probe-warmup/);
  });
  it("a floor: regression at or below it, pass above it, with or without a baseline", () => {
    expect(row(undefined, 700, { kind: "floor", rate: 800 }).row.verdict).toBe("regression");
    expect(row(undefined, 900, { kind: "floor", rate: 800 }).row.verdict).toBe("pass");
    expect(formatLimit(row(undefined, 900, { kind: "floor", rate: 800 }).row)).toBe("> 800/s");
  });
  it("a drop against the baseline at the same SLO, judged like the error rate (no interval)", () => {
    const drop = { kind: "drop", limit: -0.1 } as const;
    expect(row(1000, 850, drop).row.verdict).toBe("regression");
    expect(row(1000, 950, drop).row.verdict).toBe("pass");
    expect(row(1000, 1200, drop).row.verdict).toBe("improvement");
    expect(formatConfidence(row(1000, 950, drop).row)).toBe("–");
    expect(row(undefined, 950, drop).notes.join(" ")).toMatch(/baseline has no capacity search/);
    expect(row(1000, 950, drop, 100).notes.join(" ")).toMatch(/baseline's SLO was 50 ms, this run's 100 ms/);
  });
});
