import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_GATE } from "../../src/compare/gate.js";
import type { ResultDocument, StackResult } from "../../src/result/types.js";
import { compareWithBaseline } from "../../src/verdict/stored.js";
import type { FakeGitHubState } from "../fakes/github-api.js";
import { startFakeGitHub } from "../fakes/github-api.js";
import type { RunningFake } from "../fakes/http.js";
import { around, result } from "../support/results.js";
import { tempDir } from "../support/temp.js";
import { pullRequestEvent, runAction } from "./action-helpers.js";

// A matrix of gate jobs, one stack each, each uploading its Result; the final job merges them.
const gate = { ...DEFAULT_GATE, p99: 0.1, throughput: -0.05, errorRate: 0.01 };

function named(r: StackResult, name: string, webserver: string): StackResult {
  return { ...r, stack: { ...r.stack, name, webserver } };
}

/** A Result as a gate job writes it: the measured stack and its verdict against main's baseline. */
function gateDoc(name: string, webserver: string, base: [number, number], head: [number, number]): ResultDocument {
  const b = named(result(around(...base)), name, webserver);
  const h = named(result(around(...head)), name, webserver);
  const history = Array.from({ length: 6 }, () => ({
    sha: "a".repeat(40),
    createdAt: "2026-11-01T00:00:00Z",
    throughput: base[0],
    p50: base[1] / 3,
    p99: base[1],
  }));
  return {
    schemaVersion: 2,
    tool: { name: "loadgate", version: "test" },
    createdAt: "2026-11-30T07:00:00.000Z",
    commit: { sha: "b".repeat(40), ref: "refs/pull/21/merge" },
    results: [h],
    reports: [
      { stack: name, baselineLabel: "aaaaaaa", baseline: b, comparison: compareWithBaseline(b, h, gate, history) },
    ],
  } as ResultDocument;
}

let gh: RunningFake<FakeGitHubState>;
let workspace: string;
beforeAll(async () => {
  gh = await startFakeGitHub({ requireToken: "ghs_test" });
  workspace = tempDir("lg-matrix-");
  // As actions/download-artifact writes them: one folder per artifact.
  const write = (folder: string, doc: ResultDocument) => {
    mkdirSync(join(workspace, "results", folder), { recursive: true });
    writeFileSync(join(workspace, "results", folder, "loadgate-result.json"), JSON.stringify(doc));
  };
  write("loadgate-result-flask", gateDoc("gunicorn-flask", "Gunicorn", [1000, 40], [1000, 40]));
  write("loadgate-result-starlette", gateDoc("uvicorn-starlette", "Uvicorn", [1200, 25], [1200, 25]));
  // This one doubled its P99: a regression.
  write("loadgate-result-sanic", gateDoc("uvicorn-sanic", "Uvicorn", [1500, 20], [1500, 60]));
});
afterAll(async () => {
  await gh.close();
});

const run = (resultFile: string, number: number, extra: Record<string, string> = {}) =>
  runAction({
    inputs: { "github-token": "ghs_test", mode: "report", "result-file": resultFile, ...extra },
    event: { name: "pull_request", payload: pullRequestEvent(number, "b".repeat(40), "a".repeat(40)) },
    workspace,
    apiUrl: gh.url,
    cacheEnv: {},
    sha: "b".repeat(40),
  });

describe("mode: report merges a matrix of Results into one comment and one verdict", () => {
  it("a folder of artifacts: one comment, a table per stack and one of them all ordered by P99, the worst verdict, the step failed", async () => {
    const r = await run("results", 21);
    expect(r.outputs.verdict).toBe("regression");
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("::error::loadgate: performance regression beyond the threshold");
    const comments = gh.state.commentsOn("acme", "shop", 21);
    expect(comments).toHaveLength(1);
    const body = comments[0]!.body;
    expect(body).toContain("<!-- loadgate:comment stacks=gunicorn-flask,uvicorn-sanic,uvicorn-starlette -->");
    expect(body).toContain("3 Results of bbbbbbb · measured by 3 earlier jobs; posted by mode: report");
    expect(body).toContain("### All 3 stacks, ordered by P99");
    const overview = body.slice(body.indexOf("### All 3 stacks"), body.indexOf("### gunicorn-flask"));
    const order = ["uvicorn-starlette", "gunicorn-flask", "uvicorn-sanic"].map((n) => overview.indexOf(`| ${n}`));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(overview).toMatch(/\| uvicorn-sanic +\| Uvicorn .*\| +\+\d+\.\d% +\|.*❌ regression/);
    for (const n of ["gunicorn-flask", "uvicorn-starlette", "uvicorn-sanic"]) expect(body).toContain(`### ${n} (`);
    // The output `result` is one merged document this run wrote.
    const merged = JSON.parse(readFileSync(r.outputs.result, "utf8"));
    expect(merged.results).toHaveLength(3);
    expect(r.outputs.result.startsWith(r.runnerTemp)).toBe(true);
  });

  it("a glob and a list name the same files; the same stack from two jobs is told apart by its file", async () => {
    mkdirSync(join(workspace, "more", "loadgate-result-flask-arm"), { recursive: true });
    writeFileSync(
      join(workspace, "more", "loadgate-result-flask-arm", "loadgate-result.json"),
      JSON.stringify(gateDoc("gunicorn-flask", "Gunicorn", [800, 50], [800, 50])),
    );
    const r = await run("results/*-flask/*.json, more/**/*.json", 22);
    expect(r.code, r.stdout).toBe(0);
    expect(r.outputs.verdict).not.toBe("regression");
    const body = gh.state.commentsOn("acme", "shop", 22)[0]!.body;
    expect(body).toContain("### gunicorn-flask, from loadgate-result-flask/loadgate-result.json (");
    expect(body).toContain("### gunicorn-flask, from loadgate-result-flask-arm/loadgate-result.json (");
  });

  it("names what it cannot find, and refuses an invalid Result among many with its file", async () => {
    const missing = await run("results/nothing-*.json", 23);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain(
      'Input result-file: "results/nothing-*.json" names no Result file (the glob matched nothing).',
    );
    const bad = join(workspace, "results", "loadgate-result-bad");
    mkdirSync(bad, { recursive: true });
    writeFileSync(join(bad, "loadgate-result.json"), '{"schemaVersion": 1, "results": "no"}');
    const refused = await run("results", 24);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/loadgate-result-bad\/loadgate-result\.json/);
    expect(gh.state.commentsOn("acme", "shop", 24)).toHaveLength(0);
  });
});
