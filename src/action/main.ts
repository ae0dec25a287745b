import { mkdirSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import * as core from "@actions/core";
import * as github from "@actions/github";
import { isCommit, mergeBase, repoRoot } from "../ab/git.js";
import {
  AB_DEFAULT_MAX_PAIRS,
  AB_DEFAULT_MAX_TIME,
  AB_DEFAULT_MIN_PAIRS,
  type AbPlan,
  withAbWindows,
} from "../ab/plan.js";
import { BranchBaselineStore } from "../baseline/branch-store.js";
import { CacheBaselineStore } from "../baseline/cache-store.js";
import { nextHistory } from "../baseline/history.js";
import type { BaselineStore } from "../baseline/store.js";
import { progressLine } from "../cli/progress.js";
import {
  absoluteOnly,
  type Comparison,
  compareWithBaseline,
  DEFAULT_RISK,
  errorRateOf,
  errorRateOver,
  type Gate,
  type Headline,
  overallHeadline,
} from "../compare/verdict.js";
import { type ActionPlan, OUTPUTS, planAction } from "../config/action-plan.js";
import type { RunPlan } from "../config/plan.js";
import { DEFAULT_GATE, NO_SLO } from "../config/stack-spec.js";
import { runAb } from "../engine/ab.js";
import { type EngineHooks, runStacks, runTarget } from "../engine/run.js";
import { messageOf, UserError } from "../errors.js";
import { reportArtifactName, uploadFileArtifact } from "../github/artifact.js";
import { CommentForbiddenError, commentAuthor, upsertComment } from "../github/comment.js";
import { formatPercent } from "../report/format.js";
import { renderHtml } from "../report/html.js";
import {
  type BaselineAge,
  commentMarker,
  type HtmlReportLink,
  type ReportInput,
  type RunHeadline,
  renderMarkdown,
  type StackReport,
} from "../report/markdown.js";
import { stackReportsOf } from "../report/stack-reports.js";
import { collectResultFiles } from "../result/collect.js";
import { withBaselineKey } from "../result/environment.js";
import { readResultFile } from "../result/read.js";
import { type ResultDocument, SCHEMA_VERSION, type StackResult } from "../result/types.js";
import { recordComponent } from "../stack/cleanup.js";
import { VERSION } from "../version.js";

export { STATE_FILE } from "./state.js";

import { STATE_FILE } from "./state.js";

/** Which gate applies to a stack (or to the target): the inputs override the stack file's `gate`. */
function gateFor(plan: ActionPlan, stack: { gate: Gate } | undefined): Gate {
  const own = stack?.gate ?? plan.target?.gate ?? DEFAULT_GATE;
  const { p99, throughput } = plan.gateOverride;
  const slo = own.slo ?? NO_SLO;
  return {
    p99: p99 ? p99.relative : own.p99,
    throughput: throughput ? throughput.relative : own.throughput,
    slo: { p99Ms: p99 ? p99.slo : slo.p99Ms, throughput: throughput ? throughput.slo : slo.throughput },
    errorRate: plan.gateOverride.errorRate ?? own.errorRate,
    cost: own.cost,
    capacity: own.capacity,
  };
}

/** Input baseline-store: the Actions cache, or the history on the data branch (written only from the default branch). */
function storeFor(plan: ActionPlan): BaselineStore {
  const log = (l: string) => core.info(l);
  if (plan.baselineStore === "cache") return new CacheBaselineStore(plan.workspace, log);
  const { ref, defaultBranch } = plan.event;
  const onDefault = defaultBranch !== null && ref === `refs/heads/${defaultBranch}`;
  return new BranchBaselineStore({
    repoDir: plan.workspace,
    branch: plan.baselineBranch,
    writeRefused: onDefault
      ? null
      : `this run is on ${ref || "an unknown ref"}, not the default branch${defaultBranch ? ` ${defaultBranch}` : ""}: only the default branch's baselines are kept.`,
    tmpDir: plan.runnerTemp,
    log,
  });
}

/** How old a stored baseline is, for the line under the table and the max-baseline-age warning. */
function ageOf(doc: ResultDocument, limitSeconds: number | null): BaselineAge {
  const at = Date.parse(doc.createdAt);
  const ageSeconds = Number.isNaN(at) ? Number.NaN : Math.max(0, (Date.now() - at) / 1000);
  if (limitSeconds !== null && ageSeconds > limitSeconds) {
    core.warning(
      `The stored baseline (${doc.commit?.sha.slice(0, 7) ?? "unknown commit"}, ${doc.createdAt}) is older than max-baseline-age.`,
    );
  }
  return { sha: doc.commit?.sha ?? null, createdAt: doc.createdAt, ageSeconds, limitSeconds };
}

function engineHooks(stateFile: string): EngineHooks {
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
  const runPlan: RunPlan = {
    ...plan.runtime,
    stacks: plan.stacks,
    install: plan.install,
    pin: plan.pin || plan.stacks.some((s) => s.spec.load.pin),
  };
  try {
    // Input target: a service earlier steps started (a services: container, docker compose).
    const results = plan.target
      ? [await runTarget(runPlan, plan.target, engineHooks(stateFile))]
      : await runStacks(runPlan, engineHooks(stateFile));
    // Input baseline-key: the stored baseline is looked up and saved under the key, not the machine.
    return results.map((r) => withBaselineKey(r, plan.baselineKey));
  } finally {
    core.endGroup();
  }
}

/** compare: merge-base / both: the pull request against its merge base, measured side by side here. */
async function abGate(
  plan: ActionPlan,
  stateFile: string,
  store: BaselineStore,
): Promise<{ reports: StackReport[]; results: StackResult[]; decidedBy: string }> {
  // A pull request is measured against its merge base; a merge queue's commit against the queue's base.
  const pr = plan.event.pullRequest;
  const baseSha = pr?.baseSha ?? plan.event.mergeGroup?.baseSha;
  if (baseSha === undefined) {
    throw new UserError(
      `Input compare: ${plan.compare} needs a pull_request or merge_group event (it measures the change against its base); this is a ${plan.event.name || "unknown"} event.`,
    );
  }
  const what = pr ? "the pull request's base commit" : "the merge queue's base commit";
  const root = await repoRoot(plan.workspace);
  if (!baseSha || !(await isCommit(root, baseSha))) {
    throw new UserError(
      `compare: ${plan.compare}: ${what} ${baseSha.slice(0, 12) || "(unknown)"} is not in this checkout, which is too shallow to find the merge base. Check out with full history: actions/checkout with fetch-depth: 0.`,
    );
  }
  const base = await mergeBase(root, baseSha, "HEAD");
  const ab: AbPlan = {
    root,
    baseRef: base.slice(0, 7),
    baseSha: base,
    headRef: null,
    headSha: null,
    stackPaths: plan.stacks.map((s) => relative(root, s.spec.file)),
    overrides: withAbWindows(plan.overrides),
    minPairs: plan.overrides.trials ?? AB_DEFAULT_MIN_PAIRS,
    maxPairs: Math.max(plan.ab.maxPairs ?? AB_DEFAULT_MAX_PAIRS, plan.overrides.trials ?? AB_DEFAULT_MIN_PAIRS),
    maxTimeSeconds: plan.ab.maxTimeSeconds ?? AB_DEFAULT_MAX_TIME,
    jsonOut: null,
    install: plan.install,
  };
  const runPlan: RunPlan = { ...plan.runtime, install: plan.install };
  let outcomes: Awaited<ReturnType<typeof runAb>>;
  try {
    outcomes = (await runAb(ab, runPlan, engineHooks(stateFile), (s) => gateFor(plan, s))).map((o) => ({
      ...o,
      head: withBaselineKey(o.head, plan.baselineKey),
    }));
  } finally {
    core.endGroup();
  }
  const reports: StackReport[] = [];
  for (const o of outcomes) {
    let trend: string | undefined;
    let trendAge: BaselineAge | undefined;
    if (plan.compare === "both") {
      const stored = await store.restore(o.head.stack.name, o.head.environment.id);
      const b = stored?.doc.results.find((x) => x.stack.name === o.head.stack.name);
      if (b && stored) {
        trendAge = ageOf(stored.doc, plan.maxBaselineAgeSeconds);
        const stackPlan = plan.stacks.find((s) => s.spec.name === o.head.stack.name) ?? plan.stacks[0];
        const c = compareWithBaseline(b, o.head, gateFor(plan, stackPlan), b.history ?? []);
        const m = (name: string) => c.metrics.find((x) => x.metric === name);
        const p99 = m("p99");
        const tp = m("throughput");
        trend =
          c.headline === "no-baseline"
            ? `not comparable (${c.reason})`
            : `P99 ${p99 ? formatPercent(p99.change) : "–"}, throughput ${tp ? formatPercent(tp.change) : "–"} against the stored baseline ${stored?.doc.commit?.sha.slice(0, 7) ?? ""} (for information; the A/B decided)`;
      } else trend = "no stored baseline yet";
    }
    reports.push({
      result: o.head,
      comparison: o.comparison,
      baseline: o.base,
      baselineLabel: `merge base ${base.slice(0, 7)}`,
      trend,
      baselineAge: trendAge,
    });
  }
  const pairs = outcomes.map((o) => o.pairs).join(", ");
  return {
    reports,
    results: outcomes.map((o) => o.head),
    decidedBy: `decided by same-runner A/B against the merge base ${base.slice(0, 7)} (${pairs} interleaved pairs, both sides measured in this job)`,
  };
}

async function gate(plan: ActionPlan, results: StackResult[], store: BaselineStore): Promise<StackReport[]> {
  const reports: StackReport[] = [];
  for (const [i, r] of results.entries()) {
    const stored = await store.restore(r.stack.name, r.environment.id);
    const baseline = stored?.doc.results.find((x) => x.stack.name === r.stack.name) ?? null;
    let comparison: Comparison;
    if (!baseline) {
      // Absolute SLOs still decide; without them there is nothing to compare.
      comparison = absoluteOnly(
        r,
        gateFor(plan, plan.stacks[i]),
        { ...DEFAULT_RISK, stacks: results.length },
        `no baseline of ${r.stack.name} is stored yet: push to the default branch (mode: baseline) to create one`,
      );
    } else {
      comparison = compareWithBaseline(baseline, r, gateFor(plan, plan.stacks[i]), baseline.history ?? [], {
        ...DEFAULT_RISK,
        stacks: results.length,
      });
    }
    core.info(`${r.stack.name}: ${comparison.headline}${stored ? ` (baseline ${stored.source})` : ""}`);
    reports.push({
      result: r,
      comparison,
      baseline,
      baselineLabel: stored?.doc.commit?.sha.slice(0, 7) ?? (stored ? "stored" : null),
      baselineAge: stored ? ageOf(stored.doc, plan.maxBaselineAgeSeconds) : undefined,
    });
  }
  return reports;
}

/**
 * Stores each stack's baseline; a stack whose requests failed beyond its error-rate limit is not
 * stored (a run made of errors is no baseline). Returns the stacks refused, with why.
 */
async function saveBaselines(plan: ActionPlan, doc: ResultDocument, store: BaselineStore): Promise<string[]> {
  const refused: string[] = [];
  for (const [i, r] of doc.results.entries()) {
    const gate = gateFor(plan, plan.stacks[i]);
    if (errorRateOver(r, gate)) {
      const rate = errorRateOf(r.trials);
      refused.push(
        `${r.stack.name}: ${(rate * 100).toFixed(2)}% of its requests failed, over its error-rate limit of ${(gate.errorRate * 100).toFixed(2)}%; no baseline stored (see the errors by kind in the summary)`,
      );
      continue;
    }
    const previous = await store.restore(r.stack.name, r.environment.id);
    const prevResult = previous?.doc.results.find((x) => x.stack.name === r.stack.name);
    const sameEnv = prevResult?.environment.id === r.environment.id;
    const history = sameEnv ? nextHistory(prevResult, previous?.doc.commit?.sha, previous?.doc.createdAt ?? "") : [];
    const single: ResultDocument = { ...doc, results: [{ ...r, history }] };
    const key = await store.save(r.stack.name, r.environment.id, plan.event.sha || "unknown", single);
    if (key)
      core.info(`Saved the baseline of ${r.stack.name} as ${key} (history: ${history.length} earlier baselines).`);
  }
  return refused;
}

/** The Result documents a comment reports, each with the name of its file, for the HTML report. */
type Documents = { source: string; doc: ResultDocument }[];

/**
 * report-artifact: true: the HTML report of `documents`, written to the runner's temp folder and uploaded as
 * an artifact of the run. A failed upload warns and leaves the comment without the link; it fails nothing.
 */
async function uploadHtmlReport(
  plan: ActionPlan,
  documents: Documents,
  stackNames: string[],
): Promise<HtmlReportLink | undefined> {
  const file = join(plan.runnerTemp, reportArtifactName(stackNames));
  writeFileSync(file, renderHtml({ version: VERSION, documents }));
  try {
    const uploaded = await uploadFileArtifact(file, { ...plan.run, ...plan.event.repository });
    core.info(`HTML report uploaded as the artifact ${uploaded.name}${uploaded.url ? `: ${uploaded.url}` : ""}`);
    core.setOutput(OUTPUTS.reportUrl, uploaded.url);
    return uploaded.url ? { name: uploaded.name, url: uploaded.url } : undefined;
  } catch (err) {
    core.warning(
      `The HTML report (${file}) was not uploaded as an artifact: ${messageOf(err)}. The comment goes without the link.`,
    );
    return undefined;
  }
}

async function publish(
  plan: ActionPlan,
  input: ReportInput,
  stackNames: string[],
  pr: { number: number } | null,
  documents: Documents,
) {
  const marker = commentMarker(stackNames);
  const htmlReport = plan.reportArtifact ? await uploadHtmlReport(plan, documents, stackNames) : undefined;
  const body = renderMarkdown({ ...input, htmlReport }, marker);
  await core.summary.addRaw(body).write();
  let commentUrl = "";
  // on-change: a new comment only when the verdict is not pass, but an existing one always follows
  // the verdict (a ❌ turns ✅ once the pull request is fixed).
  const wantComment = pr !== null && plan.comment !== "never";
  const create = plan.comment === "always" || input.headline !== "pass";
  if (wantComment && pr) {
    if (!plan.token) {
      core.warning("No github-token: the comment was not posted (the job summary has the table).");
    } else {
      const octokit = github.getOctokit(plan.token, { baseUrl: plan.apiUrl });
      try {
        const api = {
          paginate: (route: string, params: Record<string, unknown>) => octokit.paginate(route, params),
          request: (route: string, params: Record<string, unknown>) => octokit.request(route, params),
        } as Parameters<typeof upsertComment>[0];
        const outcome = await upsertComment(
          api,
          { owner: plan.event.repository.owner, repo: plan.event.repository.repo, issueNumber: pr.number },
          marker,
          body,
          { author: await commentAuthor(api), create },
        );
        commentUrl = outcome.url;
        core.info(
          outcome.action === "skipped"
            ? "No comment: comment is on-change, the verdict is pass, and there is no earlier comment to update."
            : `Comment ${outcome.action}: ${outcome.url}`,
        );
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

function setResultOutputs(headline: RunHeadline, results: StackResult[], file: string) {
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
/**
 * The pull request a `mode: report` run comments on: from the event, never from the artifact (a
 * fork's workflow wrote the artifact, so it must not choose where the repository's token writes).
 * A workflow_run lists its pull requests only for branches of this repository; for a fork's it is
 * empty, so the open pull request whose head is the run's branch (in the fork) and commit is found
 * through the API.
 */
async function pullRequestForReport(plan: ActionPlan): Promise<{ number: number; fork: string | null } | null> {
  const pr = plan.event.pullRequest;
  if (pr) return { number: pr.number, fork: pr.fromFork ? pr.headRepo : null };
  const wr = plan.event.workflowRun;
  if (!wr) return null;
  const listed = wr.pullRequests.find((p) => p.headSha === wr.headSha);
  if (listed) return { number: listed.number, fork: null };
  if (!plan.token || !wr.headRepo || !wr.headBranch || !wr.headSha) return null;
  const { owner, repo } = plan.event.repository;
  const octokit = github.getOctokit(plan.token, { baseUrl: plan.apiUrl });
  const { data } = await octokit.request("GET /repos/{owner}/{repo}/pulls", {
    owner,
    repo,
    state: "open",
    head: `${wr.headRepo.split("/")[0]}:${wr.headBranch}`,
    per_page: 100,
  });
  const match = (data as { number: number; head?: { sha?: string } }[]).find((p) => p.head?.sha === wr.headSha);
  return match ? { number: match.number, fork: wr.headRepo !== `${owner}/${repo}` ? wr.headRepo : null } : null;
}

/**
 * mode: report with result-file: post what earlier runs measured and decided. One Result (the fork
 * recipe) or many (a matrix of jobs, one stack each): one comment, a table per stack and one of them
 * all, and the worst verdict.
 */
async function reportFromFile(plan: ActionPlan): Promise<void> {
  const files = await collectResultFiles(plan.resultFile!, plan.workspace);
  const docs = files.map((f) => ({ file: f, doc: readResultFile(f) }));
  const reports: StackReport[] = docs.flatMap(({ file, doc }) =>
    stackReportsOf(doc).map((s) => ({
      ...s,
      label: files.length > 1 ? `${s.result.stack.name}, from ${basename(dirname(file))}/${basename(file)}` : undefined,
    })),
  );
  // A stack measured by one job keeps its plain name; one measured by several is told apart by its file.
  const count = new Map<string, number>();
  for (const s of reports) count.set(s.result.stack.name, (count.get(s.result.stack.name) ?? 0) + 1);
  for (const s of reports) if (count.get(s.result.stack.name) === 1) s.label = undefined;
  const compared = reports.some((s) => s.comparison);
  const headline: RunHeadline = compared
    ? overallHeadline(reports.map((s) => s.comparison?.headline ?? "no-baseline"))
    : "measured";
  const pr = await pullRequestForReport(plan);
  for (const { file, doc } of docs) {
    if (doc.pullRequest && doc.pullRequest.number !== pr?.number) {
      core.warning(
        `The Result ${docs.length > 1 ? `${relative(plan.workspace, file)} ` : ""}names pull request #${doc.pullRequest.number}; ignored: mode: report takes the pull request from the event${pr ? ` (#${pr.number})` : ""}, never from the artifact.`,
      );
    }
  }
  if (!pr) {
    core.warning(
      "mode: report found no pull request for this event (a workflow_run of a pull request, or a pull_request event): the job summary has the table, no comment was posted.",
    );
  }
  const wr = plan.event.workflowRun;
  const source = wr
    ? `${pr?.fork ?? wr.headRepo}@${wr.headSha.slice(0, 7)}`
    : docs.length > 1
      ? `${docs.length} earlier jobs`
      : "an earlier run";
  const shas = [...new Set(docs.map(({ doc }) => doc.commit?.sha.slice(0, 7) ?? "unknown"))];
  await publish(
    plan,
    {
      title: docs.length > 1 ? `${docs.length} Results of ${shas.join(", ")}` : `Result of ${shas[0]}`,
      headline,
      stacks: reports,
      decidedBy: pr?.fork
        ? `measured by the workflow run of the fork's pull request (${source}): the figures and verdicts are that run's; posted here by mode: report`
        : `measured by ${source}; posted by mode: report`,
    },
    reports.map((s) => s.label ?? s.result.stack.name),
    pr,
    docs.map(({ file, doc }) => ({
      source: docs.length > 1 ? `${basename(dirname(file))}/${basename(file)}` : basename(file),
      doc,
    })),
  );
  let resultPath = files[0]!;
  if (docs.length > 1) {
    // One document for the output `result`, written where this run chooses (never where a Result says).
    resultPath = join(plan.runnerTemp, "loadgate-report.json");
    mkdirSync(plan.runnerTemp, { recursive: true });
    const merged: ResultDocument = {
      ...docs[0]!.doc,
      createdAt: new Date().toISOString(),
      pullRequest: undefined,
      results: docs.flatMap(({ doc }) => doc.results),
      reports: docs.flatMap(({ doc }) => doc.reports ?? []),
    };
    writeFileSync(resultPath, `${JSON.stringify(merged, null, 2)}\n`);
  }
  setResultOutputs(
    headline,
    reports.map((s) => s.result),
    resultPath,
  );
  // The gate jobs decided; a report job in the pull request's own workflow (a matrix's final job)
  // carries the worst of their verdicts, so it can be the one required check. From workflow_run (the
  // fork recipe) it does not: the fork's own run already failed its check, and a red run on the
  // default branch would only be noise.
  if (compared && plan.event.name !== "workflow_run") decideFailure(plan, headline as Headline);
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
    const store = deps.store?.(plan) ?? storeFor(plan);
    if (plan.target && plan.mode === "gate" && plan.compare !== "baseline") {
      throw new UserError(
        `Input target measures one running service, so it cannot be measured against the merge base side by side: set compare: baseline (against the stored baseline of the default branch).`,
      );
    }
    const ab = plan.mode === "gate" && plan.compare !== "baseline" ? await abGate(plan, stateFile, store) : undefined;
    const results = ab ? ab.results : await measure(plan, stateFile);
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
    let reports: StackReport[];
    let headline: RunHeadline;
    let refusedBaselines: string[] = [];
    if (plan.mode === "gate") {
      reports = ab ? ab.reports : await gate(plan, results, store);
      headline = overallHeadline(reports.map((s) => s.comparison?.headline ?? "no-baseline"));
      doc.reports = reports.map((s) => ({
        stack: s.result.stack.name,
        baselineLabel: s.baselineLabel,
        baseline: s.baseline,
        comparison: s.comparison,
      }));
    } else {
      if (plan.mode === "baseline") refusedBaselines = await saveBaselines(plan, doc, store);
      reports = results.map((r) => ({ result: r, comparison: null, baseline: null, baselineLabel: null }));
      // Nothing was compared: say what happened, not "no regression".
      headline = plan.mode === "baseline" ? "baseline-stored" : "measured";
    }
    const resultFile = join(plan.runnerTemp, "loadgate-result.json");
    writeFileSync(resultFile, `${JSON.stringify(doc, null, 2)}\n`);
    const decidedBy = ab
      ? ab.decidedBy
      : plan.mode === "gate"
        ? reports.every((s) => s.comparison?.method === "absolute")
          ? "decided by the absolute SLOs alone: no stored baseline of the default branch yet"
          : "decided against the newest stored baseline of the default branch"
        : plan.mode === "baseline"
          ? "stored as the new baseline"
          : "measured only (no comparison)";
    await publish(
      plan,
      {
        title: `Commit ${plan.event.sha.slice(0, 7) || "unknown"}`,
        headline,
        stacks: reports,
        decidedBy,
      },
      results.map((r) => r.stack.name),
      plan.mode === "gate" ? pr : null,
      [{ source: basename(resultFile), doc }],
    );
    setResultOutputs(headline, results, resultFile);
    if (plan.mode === "gate") decideFailure(plan, headline as Headline);
    if (refusedBaselines.length > 0) core.setFailed(`loadgate: ${refusedBaselines.join("; ")}.`);
  } catch (err) {
    const message = messageOf(err);
    const m = /^(.+?):(\d+):(\d+): /.exec(message);
    if (m) core.error(message, { file: m[1], startLine: Number(m[2]), startColumn: Number(m[3]) });
    core.setFailed(message);
  }
}
