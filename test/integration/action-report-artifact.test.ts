// report-artifact: true: the Action (dist/main.js, run as the runner runs it) writes the HTML report,
// uploads it with the real @actions/artifact to a fake of the artifact service, and links it from the
// comment and the job summary. mode: report with a Result file: no stack is brought up.

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeArtifactService, startFakeArtifactService } from "../fakes/artifact-service.js";
import { type FakeGitHubState, startFakeGitHub } from "../fakes/github-api.js";
import type { RunningFake } from "../fakes/http.js";
import { mermaidCharts } from "../support/mermaid-xychart.js";
import { gateDocument } from "../support/report-fixtures.js";
import { tempDir } from "../support/temp.js";
import { pullRequestEvent, runAction } from "./action-helpers.js";

const RUN_ENV = { GITHUB_SERVER_URL: "https://github.com", GITHUB_RUN_ID: "4242" };
let gh: RunningFake<FakeGitHubState>;
let workspace: string;
let resultFile: string;

beforeAll(async () => {
  gh = await startFakeGitHub({ requireToken: "ghs_test" });
  workspace = tempDir("lg-ws-");
  resultFile = join(workspace, "loadgate-result.json");
  writeFileSync(resultFile, JSON.stringify(gateDocument()));
});
afterAll(async () => {
  await gh.close();
});

const report = (artifacts: FakeArtifactService, reportArtifact: string) =>
  runAction({
    inputs: {
      "github-token": "ghs_test",
      mode: "report",
      "result-file": resultFile,
      "report-artifact": reportArtifact,
    },
    event: { name: "pull_request", payload: pullRequestEvent(12, "c".repeat(40), "a".repeat(40)) },
    workspace,
    apiUrl: gh.url,
    cacheEnv: {},
    extraEnv: { ...artifacts.env, ...RUN_ENV },
    sha: "c".repeat(40),
  });

describe("the Action's report-artifact input", () => {
  it("uploads the HTML report as an artifact of the run and links it from the comment and the summary", async () => {
    const artifacts = await startFakeArtifactService();
    try {
      const run = await report(artifacts, "true");
      expect(run.code, run.stdout).toBe(0);
      const [artifact] = artifacts.state.artifacts;
      expect(artifacts.state.artifacts).toHaveLength(1);
      expect(artifact.name).toMatch(/^loadgate-report-shop-script-document\.title-pwned-[\w.-]*\.html$/);
      expect(artifact.finalized).toBe(true);
      const html = artifact.data!.toString("utf8");
      expect(html).toMatch(/^<!doctype html>/);
      expect(html).toContain('<svg class="chart" data-chart="percentiles"');
      expect(html).not.toContain("<script");
      const url = "https://github.com/acme/shop/actions/runs/4242/artifacts/1";
      expect(run.outputs["report-url"]).toBe(url);
      const [comment] = gh.state.commentsOn("acme", "shop", 12);
      for (const text of [comment.body, run.summary]) {
        expect(text).toContain(`📊 [HTML report](${url}) (artifact ${artifact.name.replaceAll("_", "\\_")})`);
        expect(mermaidCharts(text).map((c) => c.series.length)).toEqual([2]);
      }
    } finally {
      await artifacts.close();
    }
  });

  it("a refused upload warns and posts the comment without the link; false uploads nothing", async () => {
    const refusing = await startFakeArtifactService({ denyWrites: true });
    try {
      const run = await report(refusing, "true");
      expect(run.code, run.stdout).toBe(0);
      expect(run.stdout).toMatch(/::warning::The HTML report \(.*\.html\) was not uploaded as an artifact: /);
      expect(run.summary).not.toContain("HTML report");
      expect(run.summary).toContain("```mermaid");
      const off = await report(refusing, "false");
      expect(off.code, off.stdout).toBe(0);
      expect(refusing.state.calls("CreateArtifact")).toHaveLength(1);
    } finally {
      await refusing.close();
    }
  });
});
