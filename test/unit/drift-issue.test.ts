import { getOctokit } from "@actions/github";
import { afterEach, describe, expect, it } from "vitest";
import { detectSeries } from "../../src/drift/detect.js";
import type { SeriesPoint } from "../../src/drift/series.js";
import type { CommentApi } from "../../src/github/comment.js";
import { upsertIssue } from "../../src/github/issue.js";
import { driftIssue, driftMarker, findingOf } from "../../src/report/drift-finding.js";
import { renderHtml } from "../../src/report/html.js";
import type { ResultDocument } from "../../src/result/types.js";
import { type FakeGitHubState, startFakeGitHub } from "../fakes/github-api.js";
import type { RunningFake } from "../fakes/http.js";
import { around, result } from "../support/results.js";

let gh: RunningFake<FakeGitHubState> | undefined;
afterEach(async () => {
  await gh?.close();
  gh = undefined;
});

async function api(actor?: { login: string; id: number; type: "User" }): Promise<CommentApi> {
  gh = await startFakeGitHub({ requireToken: "t", actor });
  const octokit = getOctokit("t", { baseUrl: gh.url });
  return { paginate: (r, p) => octokit.paginate(r, p), request: (r, p) => octokit.request(r, p) };
}

const repo = { owner: "acme", repo: "shop" };
const BOT = "github-actions[bot]";

describe("upsertIssue", () => {
  it("opens one issue, then updates (and reopens) it, found again by its marker: never a second", async () => {
    const a = await api();
    const first = await upsertIssue(
      a,
      repo,
      driftMarker("shop"),
      { title: "t1", body: `${driftMarker("shop")}\none` },
      BOT,
    );
    expect(first.action).toBe("created");
    // Another stack's issue is its own.
    await upsertIssue(a, repo, driftMarker("cart"), { title: "c", body: driftMarker("cart") }, BOT);
    gh!.state.issues.get(first.number)!.state = "closed";
    const second = await upsertIssue(
      a,
      repo,
      driftMarker("shop"),
      { title: "t2", body: `${driftMarker("shop")}\ntwo` },
      BOT,
    );
    expect(second).toMatchObject({ action: "updated", number: first.number });
    const shop = [...gh!.state.issues.values()].filter((i) => i.body.includes(driftMarker("shop")));
    expect(shop).toHaveLength(1);
    expect(shop[0]).toMatchObject({ title: "t2", state: "open", body: `${driftMarker("shop")}\ntwo` });
    expect(gh!.state.issues.size).toBe(2);
  });

  it("does not take over an issue of someone else's that carries the marker", async () => {
    const a = await api({ login: "mallory", id: 6, type: "User" });
    await upsertIssue(a, repo, driftMarker("shop"), { title: "bait", body: driftMarker("shop") }, "mallory");
    const mine = await upsertIssue(a, repo, driftMarker("shop"), { title: "real", body: driftMarker("shop") }, BOT);
    expect(mine.action).toBe("created");
    expect(gh!.state.issues.size).toBe(2);
  });
});

describe("the drift issue's text", () => {
  it("carries the marker, the line with the commit range and the table", () => {
    const points: SeriesPoint[] = Array.from({ length: 12 }, (_, i) => ({
      sha: `${String(i).padStart(7, "0")}${"f".repeat(33)}`,
      createdAt: "2025-01-01T00:00:00Z",
      value: (i < 8 ? 40 : 50) * (1 + (i % 3) * 0.002),
    }));
    const found = detectSeries("p99", points).changePoints;
    expect(found).toHaveLength(1);
    const issue = driftIssue(
      findingOf("shop", "loadgate-data:baselines/shop.json", found, ["throughput", "p99"], null),
      {
        sha: "8".repeat(40),
        runUrl: "https://github.com/acme/shop/actions/runs/1",
      },
    );
    expect(issue.title).toBe("loadgate: performance stepped on the default branch (shop)");
    expect(issue.body.startsWith(driftMarker("shop"))).toBe(true);
    expect(issue.body).toMatch(/\*\*shop: P99 \+2\d\.\d% \(.*\) between 0000007 and 0000008; throughput unchanged\*\*/);
    expect(issue.body).toContain("| P99 | 0000007 → 0000008 |");
  });
});

describe("the HTML report's trend", () => {
  function baseline(p99s: number[]): ResultDocument {
    const stack = result(around(1000, p99s.at(-1)!));
    stack.history = p99s.slice(0, -1).map((p99, i) => ({
      sha: `${String(i).padStart(7, "0")}${"e".repeat(33)}`,
      createdAt: "2025-01-01T00:00:00Z",
      throughput: 1000 * (1 + (i % 3) * 0.003),
      p99: p99 * (1 + (i % 4) * 0.002),
      p50: p99 / 3,
    }));
    return {
      schemaVersion: 2,
      tool: { name: "loadgate", version: "test" },
      createdAt: "2025-02-01T00:00:00Z",
      commit: { sha: "9".repeat(40), ref: "refs/heads/main" },
      results: [stack],
    };
  }
  const marksOf = (html: string, chart: string) =>
    [...html.matchAll(/<svg class="chart" data-chart="([\w-]+)"[\s\S]*?<\/svg>/g)]
      .filter((m) => m[1] === chart)
      .map((m) => [...m[0].matchAll(/<line class="change-point"[^>]*><title>([^<]*)<\/title>/g)].map((t) => t[1]));

  it("marks a step of P99 between its commits, and nothing in a flat trend or the throughput", () => {
    const html = renderHtml({
      version: "t",
      documents: [{ source: "b.json", doc: baseline([...Array(10).fill(40), ...Array(6).fill(56)]) }],
    });
    expect(marksOf(html, "trend-p99")).toEqual([
      [expect.stringMatching(/^P99 \+\d\d\.\d% \(.*\) between 0000009 and 0000010$/)],
    ]);
    expect(marksOf(html, "trend-throughput")).toEqual([[]]);
    expect(html).toMatch(/Change points \(dashed red lines; docs\/drift\.md\): P99 \+/);
    const flat = renderHtml({ version: "t", documents: [{ source: "b.json", doc: baseline(Array(16).fill(40)) }] });
    expect(marksOf(flat, "trend-p99")).toEqual([[]]);
    expect(flat).not.toContain("Change points");
  });
});
