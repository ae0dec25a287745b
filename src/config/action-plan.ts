import { readFileSync } from "node:fs";
import { DEFAULT_DATA_BRANCH, parseDataBranch } from "../baseline/branch-data.js";
import { UserError } from "../errors.js";
import { parseBaselineKey } from "../result/environment.js";
import { VERSION } from "../version.js";
import { applyOverrides, type LoadOverrides, parseLoadOverrides, planTarget, runtimeOf } from "./cli-plan.js";
import { ERROR_RATE_FORM, parseAge, parseDuration, parseErrorRate, parsePercent } from "./duration.js";
import { type MetricGate, parseMetricGate } from "./gate-forms.js";
import { splitList } from "./list-input.js";
import type { RunPlan, StackPlan, TargetPlan } from "./plan.js";
import { loadStackFile, resolveStackPath } from "./stack-file.js";

// Input names mirror action.yml; the names a user sees are the names the code uses.
export const INPUTS = {
  stack: "stack",
  githubToken: "github-token",
  mode: "mode",
  compare: "compare",
  p99Threshold: "p99-threshold",
  throughputThreshold: "throughput-threshold",
  maxErrorRate: "max-error-rate",
  trials: "trials",
  duration: "duration",
  warmup: "warmup",
  connections: "connections",
  rate: "rate",
  workers: "workers",
  failOnRegression: "fail-on-regression",
  failOnMissingBaseline: "fail-on-missing-baseline",
  comment: "comment",
  install: "install",
  allowUntrusted: "allow-untrusted",
  resultFile: "result-file",
  maxPairs: "max-pairs",
  maxTime: "max-time",
  cost: "cost",
  client: "client",
  pin: "pin",
  target: "target",
  reportArtifact: "report-artifact",
  baselineKey: "baseline-key",
  baselineStore: "baseline-store",
  baselineBranch: "baseline-branch",
  maxBaselineAge: "max-baseline-age",
} as const;

export const OUTPUTS = {
  result: "result",
  verdict: "verdict",
  p99: "p99-ms",
  throughput: "throughput-rps",
  commentUrl: "comment-url",
  reportUrl: "report-url",
} as const;

export type Mode = "gate" | "baseline" | "report";
export type CompareMode = "baseline" | "merge-base" | "both";
export type CommentPolicy = "always" | "on-change" | "never";

export interface PullRequestInfo {
  number: number;
  baseSha: string;
  headSha: string;
  baseRef: string;
  fromFork: boolean;
  headRepo: string;
}

export interface EventInfo {
  name: string;
  repository: { owner: string; repo: string };
  sha: string;
  ref: string;
  defaultBranch: string | null;
  pullRequest: PullRequestInfo | null;
  /** workflow_run (the fork recipe's second workflow): the run whose artifact is reported. */
  workflowRun: {
    headSha: string;
    headBranch: string;
    /** "owner/repo" of the head: a fork's own repository for a fork's pull request. */
    headRepo: string;
    /** Pull requests GitHub lists for the run: empty for a fork's pull request. */
    pullRequests: { number: number; headSha: string }[];
  } | null;
  /** merge_group: the queue's base and the merge commit it tests. */
  mergeGroup: { baseSha: string; headSha: string; baseRef: string } | null;
  selfHosted: boolean;
}

export interface ActionPlan {
  mode: Mode;
  /** What `mode: auto` resolved from, for the log. */
  modeReason: string;
  compare: CompareMode;
  stacks: StackPlan[];
  /** Input target: a service earlier steps started on this runner, measured instead of a stack. */
  target: TargetPlan | null;
  /** Input pin: the load generator gets CPU 0, the stack the rest. */
  pin: boolean;
  /** Inputs p99-threshold, throughput-threshold and max-error-rate; each replaces that part of the stack file's gate. */
  gateOverride: { p99?: MetricGate; throughput?: MetricGate; errorRate?: number };
  token: string;
  apiUrl: string;
  failOnRegression: boolean;
  failOnMissingBaseline: boolean;
  comment: CommentPolicy;
  install: boolean;
  allowUntrusted: boolean;
  /** Input report-artifact: upload the HTML report as an artifact and link it from the comment. */
  reportArtifact: boolean;
  /** Where this workflow run is shown (GITHUB_SERVER_URL, GITHUB_RUN_ID), for links to its artifacts. */
  run: { serverUrl: string; runId: string };
  /** Input result-file as given: Result files, folders of them, or globs (see src/result/collect.ts). */
  resultFile: string | null;
  /** Input baseline-store: the Actions cache (default), or a history on a data branch of the repository. */
  baselineStore: "cache" | "branch";
  /** Input baseline-branch: the data branch for baseline-store: branch. */
  baselineBranch: string;
  /** Input baseline-key: a name for a class of runners that replaces the machine in the environment id. */
  baselineKey: string | null;
  /** Input max-baseline-age in seconds: an older stored baseline is warned about; null: no warning. */
  maxBaselineAgeSeconds: number | null;
  /** Bounds on a same-runner A/B (compare: merge-base or both); null: the default. */
  ab: {
    /** Input max-pairs: the most A/B pairs the comparison may measure (2 to 200). */
    maxPairs: number | null;
    /** Input max-time: bound on the whole A/B run, in seconds. */
    maxTimeSeconds: number | null;
  };
  event: EventInfo;
  workspace: string;
  runnerTemp: string;
  /** The load flags from the inputs (for the A/B run, which loads each side's stack file itself). */
  overrides: LoadOverrides;
  /** Machine-side settings (cache folder, binaries, environment for the app). */
  runtime: RunPlan;
}

/** The toolkit's getBooleanInput semantics (YAML 1.2 core schema): true, True, TRUE, false, False, FALSE. */
function bool(name: string, raw: string, fallback: boolean): boolean {
  const v = raw.trim();
  if (v === "") return fallback;
  if (["true", "True", "TRUE"].includes(v)) return true;
  if (["false", "False", "FALSE"].includes(v)) return false;
  throw new UserError(
    `Input ${name}: expected true or false (true, True, TRUE, false, False, FALSE, as the toolkit's getBooleanInput), got ${JSON.stringify(raw)}.`,
  );
}

function oneOf<T extends string>(name: string, raw: string, allowed: readonly T[], fallback: T): T {
  const v = raw.trim();
  if (v === "") return fallback;
  if ((allowed as readonly string[]).includes(v)) return v as T;
  throw new UserError(`Input ${name}: expected one of ${allowed.join(", ")}, got ${JSON.stringify(raw)}.`);
}

function baselineKeyInput(raw: string): string | null {
  if (raw.trim() === "") return null;
  const key = parseBaselineKey(raw);
  if (key === null) {
    throw new UserError(
      `Input ${INPUTS.baselineKey}: expected a name of 1 to 64 letters, digits, ".", "_" or "-" starting with a letter or digit (e.g. ubuntu-24.04-4cpu), got ${JSON.stringify(raw)}.`,
    );
  }
  return key;
}

function dataBranchInput(raw: string): string {
  if (raw.trim() === "") return DEFAULT_DATA_BRANCH;
  const branch = parseDataBranch(raw);
  if (branch === null) {
    throw new UserError(
      `Input ${INPUTS.baselineBranch}: expected a branch name (letters, digits, ".", "_", "-", "/"; e.g. ${DEFAULT_DATA_BRANCH}), got ${JSON.stringify(raw)}.`,
    );
  }
  return branch;
}

function ageInput(raw: string): number | null {
  if (raw.trim() === "") return null;
  const s = parseAge(raw);
  if (!(s > 0)) {
    throw new UserError(
      `Input ${INPUTS.maxBaselineAge}: expected an age above zero with a unit, e.g. 7d, 36h or 90m, got ${JSON.stringify(raw)}.`,
    );
  }
  return s;
}

/** p99-threshold / throughput-threshold: a relative limit, an SLO, or both separated by a comma. */
function threshold(name: string, raw: string, metric: "p99" | "throughput"): MetricGate | undefined {
  const values = splitList(raw);
  if (values.length === 0) return undefined;
  const parsed = parseMetricGate(metric, values);
  if ("problem" in parsed) throw new UserError(`Input ${name}: ${parsed.problem}`);
  return parsed.gate;
}

/** Input cost: empty (the stack file decides), true or false, or a limit like "+1%" (which turns it on). */
export function costInput(raw: string): Pick<LoadOverrides, "cost" | "costLimit"> {
  const v = raw.trim();
  if (v === "") return {};
  if (v === "true") return { cost: true };
  if (v === "false") return { cost: false };
  const n = parsePercent(v);
  if (v.startsWith("+") && n > 0) return { cost: true, costLimit: n };
  throw new UserError(
    `Input cost: expected true, false or a limit like "+1%" (how much the app's instructions per request may grow), got ${JSON.stringify(raw)}.`,
  );
}

function errorRate(name: string, raw: string): number | undefined {
  const v = raw.trim();
  if (v === "") return undefined;
  const n = parseErrorRate(v, "N%");
  if (Number.isNaN(n))
    throw new UserError(`Input ${name}: expected ${ERROR_RATE_FORM["N%"]}, got ${JSON.stringify(raw)}.`);
  return n;
}

function wholeNumber(name: string, raw: string, min: number, max: number): number | null {
  const v = raw.trim();
  if (v === "") return null;
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < min || n > max) {
    throw new UserError(`Input ${name}: expected a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}.`);
  }
  return n;
}

function seconds(name: string, raw: string): number | null {
  const v = raw.trim();
  if (v === "") return null;
  const n = parseDuration(v);
  if (!(n > 0)) {
    throw new UserError(
      `Input ${name}: expected seconds above zero (e.g. 900, 900s, 15m), got ${JSON.stringify(raw)}.`,
    );
  }
  return n;
}

/** Reads the event the workflow runs for (GITHUB_EVENT_NAME, GITHUB_EVENT_PATH). */
export function readEvent(env: NodeJS.ProcessEnv): EventInfo {
  const name = env.GITHUB_EVENT_NAME ?? "";
  const [owner = "", repo = ""] = (env.GITHUB_REPOSITORY ?? "/").split("/");
  let payload: Record<string, any> = {};
  if (env.GITHUB_EVENT_PATH) {
    try {
      payload = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, "utf8"));
    } catch (err) {
      throw new UserError(
        `GITHUB_EVENT_PATH ${env.GITHUB_EVENT_PATH}: cannot read the event payload (${(err as Error).message}).`,
      );
    }
  }
  const pr = payload.pull_request;
  const pullRequest: PullRequestInfo | null = pr
    ? {
        number: Number(pr.number ?? payload.number),
        baseSha: String(pr.base?.sha ?? ""),
        headSha: String(pr.head?.sha ?? ""),
        baseRef: String(pr.base?.ref ?? ""),
        headRepo: String(pr.head?.repo?.full_name ?? ""),
        fromFork:
          Boolean(pr.head?.repo?.full_name && pr.head.repo.full_name !== pr.base?.repo?.full_name) ||
          Boolean(pr.head?.repo?.fork),
      }
    : null;
  const wr = name === "workflow_run" ? payload.workflow_run : undefined;
  const workflowRun = wr
    ? {
        headSha: String(wr.head_sha ?? ""),
        headBranch: String(wr.head_branch ?? ""),
        headRepo: String(wr.head_repository?.full_name ?? ""),
        pullRequests: (Array.isArray(wr.pull_requests) ? wr.pull_requests : [])
          .map((p: { number?: unknown; head?: { sha?: unknown } }) => ({
            number: Number(p.number),
            headSha: String(p.head?.sha ?? ""),
          }))
          .filter((p: { number: number }) => Number.isInteger(p.number) && p.number > 0),
      }
    : null;
  const mg = name === "merge_group" ? payload.merge_group : undefined;
  const mergeGroup = mg
    ? { baseSha: String(mg.base_sha ?? ""), headSha: String(mg.head_sha ?? ""), baseRef: String(mg.base_ref ?? "") }
    : null;
  return {
    name,
    repository: { owner, repo },
    sha: pullRequest?.headSha || mergeGroup?.headSha || env.GITHUB_SHA || "",
    ref: env.GITHUB_REF ?? "",
    defaultBranch: payload.repository?.default_branch ?? null,
    pullRequest,
    workflowRun,
    mergeGroup,
    selfHosted: (env.RUNNER_ENVIRONMENT ?? "").toLowerCase() === "self-hosted",
  };
}

/** `auto`: a baseline on pushes to the default branch, a gate on pull requests, a plain report otherwise. */
export function resolveMode(raw: string, event: EventInfo): { mode: Mode; reason: string } {
  const m = oneOf(INPUTS.mode, raw, ["auto", "gate", "baseline", "report"] as const, "auto");
  if (m !== "auto") return { mode: m, reason: `mode: ${m}` };
  if (event.pullRequest) return { mode: "gate", reason: `auto: ${event.name} event` };
  // A required check must gate in a merge queue too, or the queue merges ungated.
  if (event.mergeGroup) return { mode: "gate", reason: "auto: merge_group event (the merge queue is gated)" };
  if (event.name === "push" && event.defaultBranch && event.ref === `refs/heads/${event.defaultBranch}`) {
    return { mode: "baseline", reason: `auto: push to the default branch ${event.defaultBranch}` };
  }
  return {
    mode: "report",
    reason: `auto: ${event.name || "unknown"} event on ${event.ref || "an unknown ref"} (neither a pull request nor a push to the default branch)`,
  };
}

/** All inputs become one typed plan here; every bad value fails with the input's name, the value and what is allowed. */
export function planAction(getInput: (name: string) => string, env: NodeJS.ProcessEnv): ActionPlan {
  const event = readEvent(env);
  const { mode, reason } = resolveMode(getInput(INPUTS.mode), event);
  const workspace = env.GITHUB_WORKSPACE || process.cwd();
  const flags: Record<string, string | undefined> = {};
  for (const [flag, input] of [
    ["trials", INPUTS.trials],
    ["duration", INPUTS.duration],
    ["warmup", INPUTS.warmup],
    ["connections", INPUTS.connections],
    ["rate", INPUTS.rate],
    ["workers", INPUTS.workers],
    ["client", INPUTS.client],
  ] as const) {
    const v = getInput(input).trim();
    flags[flag] = v === "" ? undefined : v;
  }
  let overrides: ReturnType<typeof parseLoadOverrides>;
  try {
    overrides = { ...parseLoadOverrides(flags), ...costInput(getInput(INPUTS.cost)) };
  } catch (err) {
    throw new UserError((err as Error).message.replace(/^--(\w+)/, "Input $1"));
  }
  // A file, a folder or a glob, one or more (the matrix's Results); found when the report runs.
  const resultFile = getInput(INPUTS.resultFile).trim() || null;
  const stackInput = splitList(getInput(INPUTS.stack));
  const targetInput = getInput(INPUTS.target).trim();
  let target: TargetPlan | null = null;
  if (targetInput) {
    try {
      target = planTarget(targetInput, overrides, []);
    } catch (err) {
      throw new UserError((err as Error).message.replace(/^--target/, "Input target"));
    }
    if (stackInput.length > 0) {
      throw new UserError(
        "Inputs stack and target: give one of them: target measures a service earlier steps started, stack brings one up.",
      );
    }
  }
  if (mode !== "report" && stackInput.length === 0 && !target) {
    throw new UserError(
      `Input stack: required; give one or more stack files or folders (one per line), e.g. stacks/my-app/stack.yml, or input target (a URL on this runner).`,
    );
  }
  if (mode === "report" && !resultFile && stackInput.length === 0) {
    throw new UserError(
      `mode: report needs input result-file (a Result JSON written by an earlier run) or input stack to measure.`,
    );
  }
  const stacks = stackInput.map((p) => applyOverrides(loadStackFile(resolveStackPath(p, workspace)), overrides));
  return {
    mode,
    modeReason: reason,
    compare: oneOf(INPUTS.compare, getInput(INPUTS.compare), ["baseline", "merge-base", "both"] as const, "merge-base"),
    stacks,
    target,
    pin: bool(INPUTS.pin, getInput(INPUTS.pin), false),
    gateOverride: {
      p99: threshold(INPUTS.p99Threshold, getInput(INPUTS.p99Threshold), "p99"),
      throughput: threshold(INPUTS.throughputThreshold, getInput(INPUTS.throughputThreshold), "throughput"),
      errorRate: errorRate(INPUTS.maxErrorRate, getInput(INPUTS.maxErrorRate)),
    },
    token: getInput(INPUTS.githubToken).trim(),
    apiUrl: env.GITHUB_API_URL || "https://api.github.com",
    failOnRegression: bool(INPUTS.failOnRegression, getInput(INPUTS.failOnRegression), true),
    failOnMissingBaseline: bool(INPUTS.failOnMissingBaseline, getInput(INPUTS.failOnMissingBaseline), false),
    comment: oneOf(INPUTS.comment, getInput(INPUTS.comment), ["always", "on-change", "never"] as const, "always"),
    install: bool(INPUTS.install, getInput(INPUTS.install), false),
    allowUntrusted: bool(INPUTS.allowUntrusted, getInput(INPUTS.allowUntrusted), false),
    reportArtifact: bool(INPUTS.reportArtifact, getInput(INPUTS.reportArtifact), false),
    run: { serverUrl: env.GITHUB_SERVER_URL || "https://github.com", runId: env.GITHUB_RUN_ID ?? "" },
    resultFile,
    baselineKey: baselineKeyInput(getInput(INPUTS.baselineKey)),
    baselineStore: oneOf(INPUTS.baselineStore, getInput(INPUTS.baselineStore), ["cache", "branch"] as const, "cache"),
    baselineBranch: dataBranchInput(getInput(INPUTS.baselineBranch)),
    maxBaselineAgeSeconds: ageInput(getInput(INPUTS.maxBaselineAge)),
    ab: {
      maxPairs: wholeNumber(INPUTS.maxPairs, getInput(INPUTS.maxPairs), 2, 200),
      maxTimeSeconds: seconds(INPUTS.maxTime, getInput(INPUTS.maxTime)),
    },
    event,
    workspace,
    runnerTemp: env.RUNNER_TEMP || "/tmp",
    overrides,
    runtime: runtimeOf({ cwd: workspace, env, isTTY: false }, VERSION),
  };
}
