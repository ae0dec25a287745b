import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { serialize } from "../../src/baseline/branch-data.js";
import { gitIn } from "../integration/git-repo.js";
import { runMain } from "../support/cli.js";
import { shaOf, steppedHistory } from "../support/drift-history.js";
import { result } from "../support/results.js";
import { tempDir } from "../support/temp.js";

const dir = tempDir("lg-history-");

const write = (name: string, text: string) => {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
};
const run = (argv: string[], cwd = dir) => runMain(["history", ...argv], { cwd, env: { PATH: process.env.PATH } });

describe("loadgate history --from", () => {
  const file = write("demo.json", serialize(steppedHistory("demo", 16, 10, 1.3)));

  it("charts each series, marks the step and names its commits in the table; --json and --markdown", async () => {
    const r = await run(["demo", "--from", file, "--json", "out/d.json", "--markdown", "out/d.md"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("History of demo");
    expect(r.stdout).toMatch(/P99 \(16 baselines, oldest left; steps under 10% not reported\)/);
    // The ^ under the 11th column (index 10) of the P99 chart.
    const p99 = r.stdout.slice(r.stdout.indexOf("P99 ("));
    const marks = p99.split("\n").find((l) => l.includes("└"))!;
    expect(marks.indexOf("^") - marks.indexOf("└") - 1).toBe(10);
    expect(r.stdout).toMatch(new RegExp(`P99 +${shaOf(9).slice(0, 7)} → ${shaOf(10).slice(0, 7)} .* \\+3\\d\\.\\d%`));
    const json = JSON.parse(readFileSync(join(dir, "out/d.json"), "utf8"));
    const series = json.series.find((s: { metric: string }) => s.metric === "p99");
    expect(series.changePoints[0].after.sha).toBe(shaOf(10));
    expect(json.series.find((s: { metric: string }) => s.metric === "throughput").changePoints).toEqual([]);
    expect(readFileSync(join(dir, "out/d.md"), "utf8")).toMatch(/\| P99 \| aaaa009 → aaaa010 \|/);
  });

  it("no change points in a flat history", async () => {
    const flat = write("flat.json", serialize(steppedHistory("demo", 12, 99, 1)));
    const r = await run(["demo", "--from", flat]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("No change points.");
  });

  it("reads a Result whose stack carries history", async () => {
    const h = steppedHistory("demo", 12, 6, 1.5);
    const stack = result([{ throughput: 1000, p99: 60 }]);
    stack.history = h.entries.map((e) => ({
      sha: e.sha,
      createdAt: e.createdAt,
      throughput: e.result.summary.throughput.median,
      p50: e.result.summary.latency.p50.median,
      p99: e.result.summary.latency.p99.median,
    }));
    const doc = {
      schemaVersion: 2,
      tool: { name: "loadgate", version: "test" },
      createdAt: "2025-02-01T00:00:00.000Z",
      commit: { sha: "c".repeat(40), ref: "refs/heads/main" },
      results: [stack],
    };
    const r = await run(["demo", "--from", write("result.json", JSON.stringify(doc))]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/P99 +aaaa005 → aaaa006/);
    expect(r.stdout).toContain("instructions per request need the data branch");
  });

  it.each([
    ["no such file", ["demo", "--from", "/nonexistent/h.json"], /\/nonexistent\/h\.json: cannot read \(ENOENT\)/],
    ["a file of another stack", ["other", "--from", "demo.json"], /the history of the stack "demo", not of "other"/],
    ["too few points", ["demo", "--from", "short.json"], /5 baseline\(s\) of demo; .* needs at least 8/],
    ["not JSON", ["demo", "--from", "bad.json"], /bad\.json: not valid JSON/],
    ["both sources", ["demo", "--from", "demo.json", "--branch", "x"], /give one/],
    ["no stack name", [], /Usage: loadgate history <stack-name>/],
  ])("%s: says so, exit 2", async (_what, argv, message) => {
    write("short.json", serialize(steppedHistory("demo", 5, 99, 1)));
    write("bad.json", "{");
    const r = await run(argv);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe("loadgate history --branch", { tags: ["spawns"] }, () => {
  const repo = join(dir, "repo");
  const git = (...args: string[]) => gitIn(repo, ...args);
  // The repository is made before the tests, not when the file is collected: a run that leaves out
  // the "spawns" tag (npm run test:unit) starts no git.
  beforeAll(() => {
    mkdirSync(repo);
    git("init", "-q", "-b", "main");
    git("commit", "-q", "--allow-empty", "-m", "main");
    git("checkout", "-q", "--orphan", "loadgate-data");
    mkdirSync(join(repo, "baselines"));
    writeFileSync(join(repo, "baselines/demo.json"), serialize(steppedHistory("demo", 16, 10, 1.3)));
    git("add", "baselines/demo.json");
    git("commit", "-q", "-m", "data");
    git("checkout", "-q", "main");
  });

  it("reads baselines/<stack>.json from the data branch (default loadgate-data) without checking it out", async () => {
    const r = await run(["demo"], repo);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("History of demo (loadgate-data:baselines/demo.json)");
    expect(r.stdout).toMatch(/P99 +aaaa009 → aaaa010/);
    expect(git("rev-parse", "--abbrev-ref", "HEAD")).toBe("main");
  });

  it("no such branch, no file of the stack on it, not a repository: exit 2", async () => {
    expect(await run(["demo", "--branch", "nope"], repo)).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/no branch nope in this repository .*git fetch origin nope:nope/),
    });
    expect(await run(["other"], repo)).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/loadgate-data has no baselines\/other\.json/),
    });
    expect(await run(["demo"], dir)).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/not inside a git repository/),
    });
  });
});
