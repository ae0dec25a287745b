import { describe, expect, it } from "vitest";
import {
  appendEntry,
  type BranchEntry,
  branchPath,
  newestComparable,
  parseBranchHistory,
  parseDataBranch,
  serialize,
} from "../../src/baseline/branch-data.js";
import { around, result } from "../support/results.js";
import { messageOf } from "../support/user-error.js";

const entry = (i: number, p99 = 40, cpuModel = "Test CPU"): BranchEntry => ({
  sha: String(i).repeat(40).slice(0, 40),
  ref: "refs/heads/main",
  createdAt: `2026-11-${String(i).padStart(2, "0")}T00:00:00.000Z`,
  toolVersion: "test",
  result: result(around(1000, p99), { cpuModel }),
});

describe("the data branch's history per stack", () => {
  it("appends oldest first and drops the oldest beyond the count or the size limit", () => {
    let h = appendEntry(undefined, "demo", entry(1));
    for (let i = 2; i <= 5; i++) h = appendEntry(h, "demo", entry(i), { entries: 3, bytes: 10 ** 9 });
    expect(h.entries.map((e) => e.sha[0])).toEqual(["3", "4", "5"]);
    const one = serialize(appendEntry(undefined, "demo", entry(1))).length;
    const small = appendEntry(h, "demo", entry(6), { entries: 100, bytes: Math.floor(one * 2.5) });
    expect(small.entries.map((e) => e.sha[0])).toEqual(["5", "6"]);
    // The newest always stays, whatever the limit.
    expect(appendEntry(h, "demo", entry(7), { entries: 0, bytes: 1 }).entries.map((e) => e.sha[0])).toEqual(["7"]);
  });

  it("does not store the derived history", () => {
    const withHistory = {
      ...entry(1),
      result: { ...entry(1).result, history: [{ sha: "x", createdAt: "", throughput: 1, p50: 1, p99: 1 }] },
    };
    expect(appendEntry(undefined, "demo", withHistory).entries[0]!.result.history).toBeUndefined();
  });

  it("a pull request reads the newest entry of its environment, the comparable ones before it as history", () => {
    let h = appendEntry(undefined, "demo", entry(1, 40));
    h = appendEntry(h, "demo", entry(2, 42, "Other CPU"));
    h = appendEntry(h, "demo", entry(3, 44));
    h = appendEntry(h, "demo", entry(4, 46));
    const id = entry(1).result.environment.id;
    const doc = newestComparable(h, id)!;
    expect(doc.commit?.sha[0]).toBe("4");
    expect(doc.results[0]!.history!.map((p) => p.sha[0])).toEqual(["1", "3"]);
    expect(doc.results[0]!.history![1]!.p99).toBeCloseTo(h.entries[2]!.result.summary.latency.p99.median);
    // No entry of its environment: the newest of any, with no history, so the caller can say why.
    const other = newestComparable(h, "ffffffffffff")!;
    expect(other.commit?.sha[0]).toBe("4");
    expect(other.results[0]!.history).toEqual([]);
  });

  it("validates what it reads, naming the file and the entry", () => {
    const h = appendEntry(undefined, "demo", entry(1));
    expect(parseBranchHistory(serialize(h), "f").entries).toHaveLength(1);
    expect(messageOf(() => parseBranchHistory("{", "loadgate-data:baselines/demo.json"))).toMatch(
      /^loadgate-data:baselines\/demo\.json: not valid JSON/,
    );
    expect(messageOf(() => parseBranchHistory('{"schemaVersion": 9, "entries": []}', "f"))).toMatch(
      /expected a loadgate baseline history/,
    );
    const forged = JSON.parse(serialize(h));
    forged.entries[0].result.environment.id = 42;
    expect(messageOf(() => parseBranchHistory(JSON.stringify(forged), "f"))).toMatch(
      /^f: entries\[0\]: results\[0\]\.environment\.id/,
    );
  });

  it("keeps file and branch names safe", () => {
    expect(branchPath("shop")).toBe("baselines/shop.json");
    expect(branchPath("../../etc/passwd")).toMatch(/^baselines\/__\.\._etc_passwd-[0-9a-f]{8}\.json$/);
    expect(branchPath("127.0.0.1:8080/x")).toMatch(/^baselines\/127\.0\.0\.1_8080_x-[0-9a-f]{8}\.json$/);
    expect(branchPath("a/b")).not.toBe(branchPath("a_b"));
    expect(parseDataBranch(" loadgate-data ")).toBe("loadgate-data");
    expect(parseDataBranch("perf/history")).toBe("perf/history");
    for (const bad of ["", "-x", "a..b", "a b", "x.lock", "a/", "a~1", "a:b"]) expect(parseDataBranch(bad)).toBeNull();
  });
});
