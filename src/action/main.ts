import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as core from "@actions/core";
import * as github from "@actions/github";
import { CacheBaselineStore } from "../baseline/cache-store.js";
import { nextHistory } from "../baseline/history.js";
import type { BaselineStore } from "../baseline/store.js";
import { progressLine } from "../cli/progress.js";
import { type Comparison, compareWithBaseline, type Gate, type Headline } from "../compare/verdict.js";
import { type ActionPlan, OUTPUTS, planAction } from "../config/action-plan.js";
import type { RunPlan } from "../config/plan.js";
import { type EngineHooks, runStacks } from "../engine/run.js";
import { messageOf, UserError } from "../errors.js";
import { CommentForbiddenError, upsertComment } from "../github/comment.js";
import { commentMarker, type ReportInput, renderMarkdown, type StackReport } from "../report/markdown.js";
import { readResultFile } from "../result/read.js";
import { type ResultDocument, SCHEMA_VERSION, type StackResult } from "../result/types.js";
import { recordComponent } from "../stack/cleanup.js";
import { VERSION } from "../version.js";

export { STATE_FILE } from "./state.js";

import { STATE_FILE } from "./state.js";

/** Which gate applies to a stack: the inputs override the stack file's `gate`. */
function gateFor(plan: ActionPlan, stack: RunPlan["stacks"][number]): Gate {
  return {
    p99: plan.gateOverride.p99 ?? stack.spec.gate.p99,
    throughput: plan.gateOverride.throughput ?? stack.spec.gate.throughput,
  };
}

/** The headline over all stacks: a regression anywhere fails the whole set. */
export function overallHeadline(headlines: readonly Headline[]): Headline {
  for (const h of ["regression", "no-baseline", "inconclusive", "improvement"] as const)
    if (headlines.includes(h)) return h;
  return "pass";
}

function engineHooks(plan: ActionPlan, stateFile: string): EngineHooks {
  let group: string | undefined;
  let lastProgress = 0;
  return {
    log: (line) => core.info(line),
    onPhase: (stack, phase) => {
      if (group) core.endGroup();
      group = `${stack}: ${phase}`;
      core.startGroup(group);
    },
    // A progress line every 5 s keeps the log readable.
    onProgress: (stack, p) => {
      if (p.elapsedSeconds - lastProgress < 5 && p.elapsedSeconds > 1.5) return;
      lastProgress = p.elapsedSeconds;
      core.info(progressLine(stack, p));
    },
    onComponent: (c) => recordComponent(stateFile, c),
  };
}

async function measure(plan: ActionPlan, stateFile: string): Promise<StackResult[]> {
  const baseEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("INPUT_")) baseEnv[k] = v;
  const runPlan: RunPlan = {
    stacks: plan.stacks,
    target: null,
    install: plan.install,
    pin: plan.stacks.some((s) => s.spec.load.pin),
    binarySearch: {
      dirs: [...(process.env.PATH ?? "").split(":").filter(Boolean), "/usr/sbin", "/sbin"],
      postgresRoot: "/usr/lib/postgresql",
    },
    jsonOut: null,
    baselineFile: null,
    saveBaseline: null,
    cacheDir: process.env.LOADGATE_CACHE_DIR || join(process.env.HOME || plan.runnerTemp, ".cache", "loadgate"),
    tmpDir: plan.runnerTemp,
    baseEnv,
    progressEverySeconds: 5,
    interactive: false,
    toolVersion: VERSION,
  };
  if (process.env.LOADGATE_BIN_PATH !== undefined) {
    runPlan.binarySearch = { dirs: process.env.LOADGATE_BIN_PATH.split(":").filter(Boolean), postgresRoot: null };
  }
  const hooks = engineHooks(plan, stateFile);
  try {
    return await runStacks(runPlan, hooks);
  } finally {
    core.endGroup();
  }
}

async function gate(plan: ActionPlan, results: StackResult[], store: BaselineStore): Promise<StackReport[]> {
  const reports: StackReport[] = [];
  for (const [i, r] of results.entries()) {
    const stored = await store.restore(r.stack.name, r.environment.id);
    const baseline = stored?.doc.results.find((x) => x.stack.name === r.stack.name) ?? null;
    let comparison: Comparison;
    if (!baseline) {
      comparison = {
        headline: "no-baseline",
        method: "stored-baseline",
        metrics: [],
        reason: `no baseline of ${r.stack.name} is stored yet: push to the default branch (mode: baseline) to create one`,
        notes: [],
      };
    } else {
      comparison = compareWithBaseline(baseline, r, gateFor(plan, plan.stacks[i]), baseline.history ?? []);
    }
    core.info(`${r.stack.name}: ${comparison.headline}${stored ? ` (baseline ${stored.source})` : ""}`);
    reports.push({
      result: r,
      comparison,
      baseline,
      baselineLabel: stored?.doc.commit?.sha.slice(0, 7) ?? (stored ? "stored" : null),
    });
  }
  return reports;
}

async function saveBaselines(plan: ActionPlan, doc: ResultDocument, store: BaselineStore): Promise<void> {
  for (const r of doc.results) {
    const previous = await store.restore(r.stack.name, r.environment.id);
    const prevResult = previous?.doc.results.find((x) => x.stack.name === r.stack.name);
    const sameEnv = prevResult?.environment.id === r.environment.id;
    const history = sameEnv ? nextHistory(prevResult, previous?.doc.commit?.sha, previous?.doc.createdAt ?? "") : [];
    const single: ResultDocument = { ...doc, results: [{ ...r, history }] };
    const key = await store.save(r.stack.name, r.environment.id, plan.event.sha || "unknown", single);
    if (key)
      core.info(`Saved the baseline of ${r.stack.name} as ${key} (history: ${history.length} earlier baselines).`);
  }
}

async function publish(plan: ActionPlan, input: ReportInput, stackNames: string[], pr: { number: number } | null) {
  const marker = commentMarker(stackNames);
  const body = renderMarkdown(input, marker);
  await core.summary.addRaw(body).write();
  let commentUrl = "";
  const wantComment =
    pr !== null && plan.comment !== "never" && (plan.comment === "always" || input.headline !== "pass");
  if (wantComment && pr) {
    if (!plan.token) {
      core.warning("No github-token: the comment was not posted (the job summary has the table).");
    } else {
      const octokit = github.getOctokit(plan.token, { baseUrl: plan.apiUrl });
      try {
        const outcome = await upsertComment(
          {
            paginate: (route, params) => octokit.paginate(route, params),
            request: (route, params) => octokit.request(route, params),
          },
          { owner: plan.event.repository.owner, repo: plan.event.repository.repo, issueNumber: pr.number },
          marker,
          body,
        );
        commentUrl = outcome.url;
        core.info(`Comment ${outcome.action}: ${outcome.url}`);
      } catch (err) {
        if (err instanceof CommentForbiddenError) {
          core.warning(
            `GitHub refused the comment (HTTP ${err.status}): the token cannot write to this pull request, as with a pull request from a fork. The job summary has the table. To comment on fork pull requests, upload the Result and post it from a workflow_run workflow with mode: report (see the README).`,
          );
        } else throw err;
      }
    }
  }
  core.setOutput(OUTPUTS.commentUrl, commentUrl);
}

function setResultOutputs(headline: Headline, results: StackResult[], file: string) {
  core.setOutput(OUTPUTS.result, file);
  core.setOutput(OUTPUTS.verdict, headline);
  const first = results[0];
  core.setOutput(OUTPUTS.p99, first ? first.summary.latency.p99.median.toFixed(3) : "");
  core.setOutput(OUTPUTS.throughput, first ? first.summary.throughput.median.toFixed(1) : "");
}

function decideFailure(plan: ActionPlan, headline: Headline) {
  if (headline === "regression" && plan.failOnRegression) {
    core.setFailed("loadgate: performance regression beyond the threshold (see the table in the job summary).");
  } else if (headline === "no-baseline" && plan.failOnMissingBaseline) {
    core.setFailed("loadgate: no comparable baseline, and fail-on-missing-baseline is true.");
  } else if (headline === "inconclusive") {
    core.warning(
      "loadgate: inconclusive, the interval straddles a threshold. This does not fail the check; raise trials to decide.",
    );
  }
}

/** mode: report with result-file: post what an earlier (fork) run measured and decided. */
async function reportFromFile(plan: ActionPlan): Promise<void> {
  const doc = readResultFile(plan.resultFile!);
  const reports: StackReport[] = doc.results.map((r) => {
    const saved = doc.reports?.find((x) => x.stack === r.stack.name);
    return {
      result: r,
      comparison: (saved?.comparison as Comparison | undefined) ?? null,
      baseline: saved?.baseline ?? null,
      baselineLabel: saved?.baselineLabel ?? null,
    };
  });
  const headline = overallHeadline(reports.map((s) => s.comparison?.headline ?? "no-baseline"));
  const pr = doc.pullRequest ? { number: doc.pullRequest.number } : plan.event.pullRequest;
  await publish(
    plan,
    {
      title: `Result of ${doc.commit?.sha.slice(0, 7) ?? "an earlier run"}`,
      headline,
      stacks: reports,
      decidedBy: "decided against the stored baseline; posted by mode: report",
    },
    doc.results.map((r) => r.stack.name),
    pr,
  );
  setResultOutputs(headline, doc.results, plan.resultFile!);
}

export interface ActionDeps {
  store?: (plan: ActionPlan) => BaselineStore;
}

/** The Action's main step. Never throws: every failure becomes setFailed with a plain message. */
export async function run(deps: ActionDeps = {}): Promise<void> {
  try {
    const plan = planAction((name) => core.getInput(name), process.env);
    core.info(`loadgate ${VERSION}: ${plan.modeReason}`);
    const pr = plan.event.pullRequest;
    if (pr?.fromFork && plan.event.selfHosted && !plan.allowUntrusted) {
      throw new UserError(
        `Refusing to run pull request #${pr.number} from the fork ${pr.headRepo} on a self-hosted runner: its code (the app, the stack file, its requirements) would run on your machine. Set allow-untrusted: true only if you trust every fork, or run fork pull requests on GitHub-hosted runners.`,
      );
    }
    if (plan.mode === "report" && plan.resultFile) {
      await reportFromFile(plan);
      return;
    }
    const stateFile = join(plan.runnerTemp, `loadgate-state-${process.pid}.jsonl`);
    mkdirSync(plan.runnerTemp, { recursive: true });
    core.saveState(STATE_FILE, stateFile);
    const results = await measure(plan, stateFile);
    const doc: ResultDocument = {
      schemaVersion: SCHEMA_VERSION,
      tool: { name: "loadgate", version: VERSION },
      createdAt: new Date().toISOString(),
      commit: { sha: plan.event.sha, ref: plan.event.ref },
      ...(pr
        ? {
            pullRequest: {
              number: pr.number,
              repository: `${plan.event.repository.owner}/${plan.event.repository.repo}`,
            },
          }
        : {}),
      results,
    };
    const store = deps.store?.(plan) ?? new CacheBaselineStore(plan.workspace, (l) => core.info(l));
    let reports: StackReport[];
    let headline: Headline;
    if (plan.mode === "gate") {
      reports = await gate(plan, results, store);
      headline = overallHeadline(reports.map((s) => s.comparison?.headline ?? "no-baseline"));
      doc.reports = reports.map((s) => ({
        stack: s.result.stack.name,
        baselineLabel: s.baselineLabel,
        baseline: s.baseline,
        comparison: s.comparison,
      }));
    } else {
      if (plan.mode === "baseline") await saveBaselines(plan, doc, store);
      reports = results.map((r) => ({ result: r, comparison: null, baseline: null, baselineLabel: null }));
      headline = "pass";
    }
    const resultFile = join(plan.runnerTemp, "loadgate-result.json");
    writeFileSync(resultFile, `${JSON.stringify(doc, null, 2)}\n`);
    const decidedBy =
      plan.mode === "gate"
        ? "decided against the newest stored baseline of the default branch"
        : plan.mode === "baseline"
          ? "stored as the new baseline"
          : "measured only (no comparison)";
    await publish(
      plan,
      {
        title: `Commit ${plan.event.sha.slice(0, 7) || "unknown"}`,
        headline: plan.mode === "gate" ? headline : "pass",
        stacks: reports,
        decidedBy,
      },
      results.map((r) => r.stack.name),
      plan.mode === "gate" ? pr : null,
    );
    setResultOutputs(plan.mode === "gate" ? headline : "pass", results, resultFile);
    if (plan.mode === "gate") decideFailure(plan, headline);
  } catch (err) {
    const message = messageOf(err);
    const m = /^(.+?):(\d+):(\d+): /.exec(message);
    if (m) core.error(message, { file: m[1], startLine: Number(m[2]), startColumn: Number(m[3]) });
    core.setFailed(message);
  }
}
