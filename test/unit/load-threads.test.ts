import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Histogram } from "hdr-histogram-js";
import { describe, expect, it } from "vitest";
import { planAction } from "../../src/config/action-plan.js";
import { maxAutoThreads } from "../../src/load/auto-threads.js";
import { PhaseRecorder } from "../../src/load/recorder.js";
import { addWire, saturated, sharesOf, toWire } from "../../src/load/share.js";
import { runMain } from "../support/cli.js";
import { tempDir } from "../support/temp.js";
import { messageOf } from "../support/user-error.js";

/** A seeded stream of latencies (ms) with a long tail, the same on every run. */
function latencies(seed: number, n: number): number[] {
  let x = seed;
  return Array.from({ length: n }, () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    const u = x / 2 ** 31;
    return u < 0.99 ? 0.2 + u * 3 : 50 + u * 2000;
  });
}

/** The count in the bucket of `us` (the recorders' histograms are JavaScript ones). */
const countAt = (h: Histogram | undefined, us: number): number =>
  (h as unknown as { getCountAtValue(v: number): number }).getCountAtValue(us);

describe("the load over threads", () => {
  it("deals the connections out evenly, every thread at least one", () => {
    expect(sharesOf(32, 3).map((s) => s.connections)).toEqual([11, 11, 10]);
    expect(sharesOf(2, 2).map((s) => s.connections)).toEqual([1, 1]);
    for (const [c, t] of [
      [1, 1],
      [7, 7],
      [100, 8],
    ]) {
      const shares = sharesOf(c, t);
      expect(shares.reduce((a, s) => a + s.connections, 0)).toBe(c);
      expect(shares.every((s) => s.connections >= 1 && s.of === t)).toBe(true);
    }
  });

  it("open loop: the threads' schedules together are the one schedule (every due time once)", () => {
    const gap = 1000 / 700;
    const one = Array.from({ length: 700 }, (_, i) => i * gap);
    const threads = sharesOf(10, 3).flatMap((s) => {
      // driver.ts: this thread's requests are due at offset + k × interval.
      const interval = gap * s.of;
      const offset = gap * s.index;
      return Array.from({ length: Math.ceil((700 - s.index) / s.of) }, (_, k) => offset + k * interval);
    });
    const sorted = threads.sort((a, b) => a - b);
    expect(sorted).toHaveLength(one.length);
    for (let i = 0; i < one.length; i++) expect(sorted[i]).toBeCloseTo(one[i], 6);
  });

  it("the merged histogram is the sum of the threads' (exact counts), errors and all", () => {
    const threads = [1, 2, 3].map((seed) => {
      const r = new PhaseRecorder();
      for (const ms of latencies(seed, 20_000)) r.recordResponse(200, ms);
      for (const ms of latencies(seed + 10, 500)) r.recordUncorrected(ms);
      r.recordResponse(503, 1);
      r.recordError(seed === 2);
      return r;
    });
    const single = new PhaseRecorder();
    for (const seed of [1, 2, 3]) for (const ms of latencies(seed, 20_000)) single.recordResponse(200, ms);
    const merged = new PhaseRecorder();
    for (const t of threads) addWire(merged, JSON.parse(JSON.stringify(toWire(t))));
    expect(merged.histogram.totalCount).toBe(60_000);
    expect(merged.uncorrected?.totalCount).toBe(1500);
    expect(merged.errors).toEqual({ connection: 2, timeouts: 1, non2xx: 3, total: 6 });
    expect(merged.ok).toBe(60_000);
    // Every bucket holds exactly what the threads' buckets hold together.
    for (const ms of [...latencies(1, 20_000), ...latencies(3, 20_000)]) {
      const us = Math.max(1, Math.round(ms * 1000));
      const sum = threads.reduce((a, t) => a + countAt(t.histogram, us), 0);
      expect(countAt(merged.histogram, us)).toBe(sum);
      expect(countAt(merged.histogram, us)).toBe(countAt(single.histogram, us));
    }
    // The percentiles are the single recorder's; the max is its bucket's top once histograms are added
    // (HdrHistogram's resolution, 3 significant digits).
    const [m, s] = [merged.toTrial(0, 1).latency, single.toTrial(0, 1).latency];
    expect({ ...m, max: 0 }).toEqual({ ...s, max: 0 });
    expect(Math.abs(m.max - s.max) / s.max).toBeLessThan(0.001);
  });

  it("auto: at most the CPUs left to the load generator, and a thread near a full core is saturated", () => {
    expect(maxAutoThreads(2, 2)).toBe(1);
    expect(maxAutoThreads(4, 4)).toBe(3);
    expect(maxAutoThreads(1, 4)).toBe(1); // --pin: CPU 0 only
    expect(maxAutoThreads(1, 1)).toBe(1);
    expect(saturated(0.95, 1, 0.9)).toBe(true);
    expect(saturated(1.5, 2, 0.9)).toBe(false);
  });
});

describe("--load-threads", () => {
  const cwd = tempDir("lg-threads-");
  const run = (...flags: string[]) =>
    runMain(["run", "--target", "http://127.0.0.1:9/", "--connections", "4", ...flags], { cwd });

  it.each(["0", "-1", "1.5", "many", "65", ""])("refuses %j: exit 2 with a clear message", async (value) => {
    const r = await run("--load-threads", value);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `--load-threads: expected a whole number of threads from 1 to 64, or auto, got ${JSON.stringify(value)}.`,
    );
  });

  it("refuses more threads than connections, threads with a total of requests, and threads with autocannon", async () => {
    const more = await run("--load-threads", "5");
    expect(more.code).toBe(2);
    expect(more.stderr).toContain("--load-threads 5 with 4 connections: each thread needs at least one connection");
    const counted = await run("--load-threads", "2", "--total-requests", "1000");
    expect(counted.code).toBe(2);
    expect(counted.stderr).toContain(
      "--load-threads 2 with a total of requests (total-requests 1000): trials of a fixed number",
    );
    const ac = await run("--load-threads", "2", "--client", "autocannon");
    expect(ac.code).toBe(2);
    expect(ac.stderr).toContain("--load-threads 2: threads are the native client's");
  });

  it("the stack file's load.threads: a bad value names the file and line", async () => {
    const file = join(cwd, "stack.yml");
    writeFileSync(file, "name: t\napp:\n  command: python3 app.py {port}\nload:\n  connections: 2\n  threads: 3\n");
    const r = await runMain(["run", file], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("load.threads 3 with 2 connections");
    writeFileSync(file, "name: t\napp:\n  command: python3 app.py {port}\nload:\n  threads: zero\n");
    const bad = await runMain(["run", file], { cwd });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/stack\.yml:5:\d+:.*threads/);
  });
});

describe("the Action's input load-threads", () => {
  const plan = (inputs: Record<string, string>) => {
    const all: Record<string, string> = { mode: "gate", compare: "baseline", target: "http://127.0.0.1:9/", ...inputs };
    return planAction((name) => all[name] ?? "", { GITHUB_WORKSPACE: tempDir("lg-threads-action-"), PATH: "" });
  };

  it("reaches the plan: a count or auto; empty is the default, one thread", () => {
    expect(plan({ "load-threads": "3", connections: "8" }).target?.load.threads).toBe(3);
    expect(plan({ "load-threads": "auto" }).target?.load.threads).toBe("auto");
    expect(plan({}).target?.load.threads).toBe(1);
  });

  it("is refused by name when it is not a count, or more than the connections", () => {
    expect(messageOf(() => plan({ "load-threads": "two" }))).toBe(
      'Input load-threads: expected a whole number of threads from 1 to 64, or auto, got "two".',
    );
    expect(messageOf(() => plan({ "load-threads": "9", connections: "8" }))).toContain(
      "Input load-threads 9 with 8 connections: each thread needs at least one connection",
    );
  });
});
