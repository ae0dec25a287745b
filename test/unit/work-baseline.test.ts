// Stored baselines across runners for the work rows: the timings compare with this runner's baseline,
// the counts with the newest baseline of any runner when it is newer or the only comparable count.
import { rmSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { newestOfAny } from "../../src/baseline/branch-data.js";
import { CacheBaselineStore } from "../../src/baseline/cache-store.js";
import type { BaselineStore, StoredBaseline } from "../../src/baseline/store.js";
import { DEFAULT_GATE } from "../../src/compare/gate.js";
import { savedReports } from "../../src/modes/document.js";
import { judgeAll } from "../../src/modes/judge.js";
import { renderHtml } from "../../src/report/html.js";
import { renderMarkdown } from "../../src/report/markdown.js";
import { stackReportsOf } from "../../src/report/stack-reports.js";
import type { ResultDocument, StackResult, WorkRecord } from "../../src/result/types.js";
import { newerWorkBaseline, workBaselineNote } from "../../src/work/baseline.js";
import { type CapturedLog, captureActionsLog } from "../fakes/actions-log.js";
import { type FakeCacheService, startFakeCacheService } from "../fakes/cache-service.js";
import { around, result } from "../support/results.js";
import { tempDir } from "../support/temp.js";
import { steadyWork } from "../support/work-records.js";

const work = (statements: number, o: Partial<WorkRecord> = {}) => steadyWork(statements, o, {}, 3);

/** A Result of this runner (cpu "Test CPU") or another ("Other CPU"), with a work count or none. */
const measured = (runner: "this" | "other", w?: WorkRecord): StackResult => ({
  ...result(around(1000, 20), { cpuModel: runner === "this" ? "Test CPU" : "Other CPU" }),
  ...(w ? { work: w } : {}),
});

const docOf = (r: StackResult, sha: string, createdAt: string): ResultDocument => ({
  schemaVersion: 2,
  tool: { name: "loadgate", version: "test" },
  createdAt,
  commit: { sha: sha.repeat(40), ref: "refs/heads/main" },
  results: [r],
});

const entry = (r: StackResult, sha: string, createdAt: string) => ({ result: r, doc: docOf(r, sha, createdAt) });

describe("which baseline the work rows compare with (pure)", () => {
  const head = measured("this", work(11));
  const older = "2026-01-01T00:00:00Z";
  const newer = "2026-01-02T00:00:00Z";

  it("the newest of any runner when it is newer than this runner's, or this runner's has no comparable count", () => {
    const mine = entry(measured("this", work(1)), "a", older);
    const theirs = entry(measured("other", work(1)), "b", newer);
    expect(newerWorkBaseline(head, mine, theirs)).toBe(theirs);
    // This runner's is the newer one: it stays.
    expect(
      newerWorkBaseline(head, entry(measured("this", work(1)), "a", newer), {
        ...theirs,
        doc: { ...theirs.doc, createdAt: older },
      }),
    ).toBeUndefined();
    // This runner's has no count (written before the count existed), or one of other data: the older one of another runner serves.
    const oldTheirs = entry(measured("other", work(1)), "b", older);
    expect(newerWorkBaseline(head, entry(measured("this"), "a", newer), oldTheirs)).toBe(oldTheirs);
    const otherData = entry(measured("this", work(1, { dataHash: "c".repeat(64) })), "a", newer);
    expect(newerWorkBaseline(head, otherData, oldTheirs)).toBe(oldTheirs);
  });

  it("never one whose count is not comparable (another PostgreSQL major, other data, none), nor the same baseline", () => {
    const mine = entry(measured("this", work(1)), "a", older);
    const pg16 = entry(measured("other", work(1, { postgresMajor: 16 })), "b", "2026-01-02T00:00:00Z");
    expect(newerWorkBaseline(head, mine, pg16)).toBeUndefined();
    expect(newerWorkBaseline(head, mine, entry(measured("other"), "b", "2026-01-02T00:00:00Z"))).toBeUndefined();
    expect(newerWorkBaseline(head, mine, mine)).toBeUndefined();
    expect(newerWorkBaseline(head, mine, null)).toBeUndefined();
  });

  it("says which commit the counts compared with, and why", () => {
    const mine = entry(measured("this"), "a", older);
    const theirs = entry(measured("other", work(1)), "b", newer);
    const note = workBaselineNote(head, mine, theirs);
    expect(note).toMatch(
      /^The database work was compared with the newest baseline of the default branch, commit bbbbbbb/,
    );
    expect(note).toContain("not with this runner's baseline (commit aaaaaaa) that the timings compared with");
    expect(note).toContain("this runner's has no count comparable with this run's");
  });

  it("the data branch's newest entry of any environment", () => {
    const h = {
      schemaVersion: 2 as const,
      stack: "demo",
      entries: [
        { sha: "a".repeat(40), ref: "", createdAt: older, toolVersion: "t", result: measured("this", work(1)) },
        { sha: "b".repeat(40), ref: "", createdAt: newer, toolVersion: "t", result: measured("other", work(2)) },
      ],
    };
    const doc = newestOfAny(h);
    expect(doc?.commit?.sha).toBe("b".repeat(40));
    expect(doc?.results[0]?.work?.perRequest.statements).toBe(2);
    expect(newestOfAny({ ...h, entries: [] })).toBeUndefined();
  });
});

/** A store of documents in memory: restore as the cache does it (this environment's newest, else any's). */
function memoryStore(docs: ResultDocument[]): BaselineStore & { newestCalls: number } {
  const byAge = [...docs].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
  const stored = (d: ResultDocument | undefined): StoredBaseline | undefined =>
    d ? { doc: d, source: d.commit!.sha.slice(0, 7) } : undefined;
  return {
    newestCalls: 0,
    async restore(_stack, env) {
      return stored(byAge.find((d) => d.results[0]!.environment.id === env) ?? byAge[0]);
    },
    async newest() {
      this.newestCalls++;
      return stored(byAge[0]);
    },
    async save() {
      return undefined;
    },
  };
}

describe("judgeAll: the timings against this runner's baseline, the counts against the newest", () => {
  const missing = () => "none stored";

  it("an N+1 is caught against the newest baseline of another runner while the timings compare here", async () => {
    const mine = docOf(measured("this"), "a", "2026-01-01T00:00:00Z");
    const theirs = docOf(measured("other", work(1)), "b", "2026-01-02T00:00:00Z");
    const head = measured("this", work(11));
    const [j] = await judgeAll([head], [DEFAULT_GATE], memoryStore([mine, theirs]), missing);
    expect(j.comparison.metrics.find((m) => m.metric === "throughput")?.baseline).toBeCloseTo(1000, 0);
    expect(j.comparison.metrics.find((m) => m.metric === "statements")).toMatchObject({
      baseline: 1,
      current: 11,
      verdict: "regression",
    });
    expect(j.comparison.headline).toBe("regression");
    expect(j.comparison.notes.join("\n")).toContain("commit bbbbbbb");
    // The reports draw the work table from the baseline they get: this runner's, with the newest count.
    expect(j.baseline?.environment.id).toBe(head.environment.id);
    expect(j.baseline?.work?.perRequest.statements).toBe(1);
    expect(j.stored?.source).toBe("aaaaaaa");
    // The work table's column names the commit its counts came from; the timing table keeps this runner's.
    expect(j.workBaselineLabel).toBe("bbbbbbb");
    const report = {
      result: head,
      comparison: j.comparison,
      baseline: j.baseline,
      baselineLabel: "aaaaaaa",
      workBaselineLabel: j.workBaselineLabel,
    };
    const md = renderMarkdown({ title: "t", headline: "regression", stacks: [report], decidedBy: "d" }, "<!-- m -->");
    expect(md).toMatch(/\| Count +\| Baseline \(bbbbbbb\) +\|/);
    expect(md).toMatch(/\| Metric +\| Baseline \(aaaaaaa\)/);
    // Carried in the Result document, so mode: report and the HTML report draw the same columns.
    const doc = { ...docOf(head, "c", "2026-01-03T00:00:00Z"), reports: savedReports([report]) };
    const again = stackReportsOf(doc);
    expect(renderHtml({ version: "test", documents: [{ source: "r.json", doc }] })).toContain("Baseline (bbbbbbb)");
    expect(again[0].workBaselineLabel).toBe("bbbbbbb");
  });

  it("asks the store for the newest only when it could matter", async () => {
    const mine = docOf(measured("this", work(1)), "a", "2026-01-02T00:00:00Z");
    const theirs = docOf(measured("other", work(1)), "b", "2026-01-01T00:00:00Z");
    const store = memoryStore([mine, theirs]);
    // Newer here: this runner's count is the one compared with, and no note is added.
    const [j] = await judgeAll([measured("this", work(1))], [DEFAULT_GATE], store, missing);
    expect(j.comparison.notes.join("\n")).not.toContain("newest baseline of the default branch");
    expect(store.newestCalls).toBe(1);
    // No count on this run, no growth limit, or no count a limit judges: not asked.
    await judgeAll([measured("this")], [DEFAULT_GATE], store, missing);
    const noWorkGate = { ...DEFAULT_GATE, work: { statements: null, rows: null, pages: null, connections: null } };
    await judgeAll([measured("this", work(1))], [noWorkGate], store, missing);
    // database: none: the count has response bytes alone, nothing a work limit judges.
    const bytesOnly = work(0, {
      perRequest: { ...work(0).perRequest, statements: null, rows: null, pages: null, connections: null },
    });
    await judgeAll([measured("this", bytesOnly)], [DEFAULT_GATE], store, missing);
    expect(store.newestCalls).toBe(1);
  });
});

// @actions/cache packs and unpacks with tar and zstd: processes, so npm run test:unit leaves it out.
describe("the Actions cache store against the fake cache service", { tags: ["spawns"] }, () => {
  let fake: FakeCacheService;
  let log: CapturedLog;
  let workspace: string;
  const cwd = process.cwd();

  beforeEach(async () => {
    log = captureActionsLog();
    workspace = tempDir("lg-ws-");
    // The cache archives paths relative to the working folder, as in the Action (the workspace).
    process.chdir(workspace);
    vi.stubEnv("RUNNER_TEMP", tempDir("lg-runner-temp-"));
    vi.stubEnv("GITHUB_WORKSPACE", workspace);
    vi.stubEnv("GITHUB_SERVER_URL", "https://github.com");
    vi.stubEnv("ACTIONS_CACHE_MODE", undefined);
    vi.stubEnv("RUNNER_DEBUG", undefined);
    fake = await startFakeCacheService();
    for (const [name, value] of Object.entries(fake.env)) vi.stubEnv(name, value);
  });

  afterEach(async () => {
    process.chdir(cwd);
    vi.unstubAllEnvs();
    log.restore();
    await fake.close();
    rmSync(workspace, { recursive: true, force: true });
  });

  it("restores this runner's baseline for the timings and the newest of any runner for the counts", {
    timeout: 60_000,
  }, async () => {
    const store = new CacheBaselineStore(workspace, () => undefined);
    const mine = measured("this");
    const theirs = measured("other", work(1));
    await store.save("demo", mine.environment.id, "a".repeat(40), docOf(mine, "a", "2026-01-01T00:00:00Z"));
    await store.save("demo", theirs.environment.id, "b".repeat(40), docOf(theirs, "b", "2026-01-02T00:00:00Z"));
    expect((await store.restore("demo", mine.environment.id))?.source).toBe(
      `loadgate-1-demo-${mine.environment.id}-${"a".repeat(40)}`,
    );
    expect((await store.newest("demo"))?.source).toBe(`loadgate-1-demo-${theirs.environment.id}-${"b".repeat(40)}`);

    const head = measured("this", work(11));
    const [j] = await judgeAll([head], [DEFAULT_GATE], store, () => "none stored");
    expect(j.stored?.source).toContain(mine.environment.id);
    expect(j.comparison.metrics.find((m) => m.metric === "throughput")).toBeDefined();
    expect(j.comparison.metrics.find((m) => m.metric === "statements")).toMatchObject({
      baseline: 1,
      current: 11,
      verdict: "regression",
    });
    // judgeAll asked the cache by prefix: this environment's first, then any environment's.
    const lookups = fake.state.calls("GetCacheEntryDownloadURL").map((c) => c.body as { key: string });
    expect(lookups.slice(-2).map((l) => l.key)).toEqual([
      `loadgate-1-demo-${mine.environment.id}-`,
      "loadgate-1-demo-",
    ]);
  });
});
