// The Action's inputs (core.getInput) and environment → one frozen ActionPlan. Every bad value fails
// here with the input's name, the value and what is allowed; the load and gate inputs go through the
// same validators as the CLI's flags (src/config/overrides.ts).

import { DEFAULT_DATA_BRANCH, parseDataBranch } from "../baseline/branch-data.js";
import { UserError } from "../errors.js";
import { parseBaselineKey } from "../result/environment.js";
import { VERSION } from "../version.js";
import { applyOverrides, planTarget } from "./apply.js";
import { runtimeOf } from "./cli-plan.js";
import { parseAge } from "./duration.js";
import {
  type EventInfo,
  type Mode,
  oneOf,
  readEvent,
  refuseBaselineOutsideDefaultBranch,
  resolveMode,
} from "./event.js";
import { splitList } from "./list-input.js";
import {
  costInput,
  inputLabel,
  keepaliveInput,
  MAX_TIME_FORM,
  type Overrides,
  parseOverrides,
  seconds,
  workInput,
} from "./overrides.js";
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
  statementsThreshold: "statements-threshold",
  rowsThreshold: "rows-threshold",
  pagesThreshold: "pages-threshold",
  connectionsThreshold: "connections-threshold",
  maxErrorRate: "max-error-rate",
  trials: "trials",
  duration: "duration",
  totalRequests: "total-requests",
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
  work: "work",
  client: "client",
  loadThreads: "load-threads",
  keepalive: "keepalive",
  pin: "pin",
  target: "target",
  reportArtifact: "report-artifact",
  baselineKey: "baseline-key",
  baselineStore: "baseline-store",
  baselineBranch: "baseline-branch",
  maxBaselineAge: "max-baseline-age",
  drift: "drift",
} as const;

export const OUTPUTS = {
  result: "result",
  verdict: "verdict",
  p99: "p99-ms",
  throughput: "throughput-rps",
  commentUrl: "comment-url",
  reportUrl: "report-url",
  drift: "drift",
} as const;

export type CompareMode = "baseline" | "merge-base" | "both";
export type CommentPolicy = "always" | "on-change" | "never";

export interface ActionPlan {
  mode: Mode;
  /** What `mode: auto` resolved from, for the log. */
  modeReason: string;
  compare: CompareMode;
  /** Each stack's final plan, its gate included. */
  stacks: StackPlan[];
  /** Input target: a service earlier steps started on this runner, measured instead of a stack. */
  target: TargetPlan | null;
  /** Input pin: the load generator gets CPU 0, the stack the rest. */
  pin: boolean;
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
  /** Input result-file: Result files, folders of them, or globs (see src/github/result-files.ts); null: not given. */
  resultFiles: string[] | null;
  /** Input baseline-store: the Actions cache (default), or a history on a data branch of the repository. */
  baselineStore: "cache" | "branch";
  /** Input baseline-branch: the data branch for baseline-store: branch. */
  baselineBranch: string;
  /** Input baseline-key: a name for a class of runners that replaces the machine in the environment id. */
  baselineKey: string | null;
  /** Input drift: a new change point on the default branch is warned about (warn), and also kept in one issue per stack (issue). */
  drift: "warn" | "issue";
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
  /** The load and gate inputs (for the A/B run, which lays them over each side's stack file itself). */
  overrides: Overrides;
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

function wholeNumber(name: string, raw: string, min: number, max: number): number | null {
  const v = raw.trim();
  if (v === "") return null;
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < min || n > max) {
    throw new UserError(`Input ${name}: expected a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}.`);
  }
  return n;
}

/** The load and gate inputs, through the validators the CLI's flags use. */
function overridesOf(getInput: (name: string) => string): Overrides {
  const values: Record<string, string | undefined> = {};
  for (const name of [
    INPUTS.trials,
    INPUTS.duration,
    INPUTS.totalRequests,
    INPUTS.warmup,
    INPUTS.connections,
    INPUTS.rate,
    INPUTS.workers,
    INPUTS.client,
    INPUTS.loadThreads,
    INPUTS.maxErrorRate,
    INPUTS.p99Threshold,
    INPUTS.throughputThreshold,
    INPUTS.statementsThreshold,
    INPUTS.rowsThreshold,
    INPUTS.pagesThreshold,
    INPUTS.connectionsThreshold,
  ]) {
    const v = getInput(name).trim();
    values[name] = v === "" ? undefined : v;
  }
  return {
    ...parseOverrides(values, inputLabel),
    ...costInput(getInput(INPUTS.cost)),
    ...workInput(getInput(INPUTS.work)),
    ...keepaliveInput(getInput(INPUTS.keepalive)),
  };
}

/** Inputs stack and target: the stacks' final plans, or the target's; one of them unless the mode only reports. */
function stacksOf(
  getInput: (name: string) => string,
  mode: Mode,
  overrides: Overrides,
  workspace: string,
): { stacks: StackPlan[]; target: TargetPlan | null } {
  const stackInput = splitList(getInput(INPUTS.stack));
  const targetInput = getInput(INPUTS.target).trim();
  const target = targetInput ? planTarget(targetInput, overrides, [], inputLabel) : null;
  if (target && stackInput.length > 0) {
    throw new UserError(
      "Inputs stack and target: give one of them: target measures a service earlier steps started, stack brings one up.",
    );
  }
  if (mode !== "report" && stackInput.length === 0 && !target) {
    throw new UserError(
      `Input stack: required; give one or more stack files or folders (one per line), e.g. stacks/my-app/stack.yml, or input target (a URL on this runner).`,
    );
  }
  if (mode === "report" && !getInput(INPUTS.resultFile).trim() && stackInput.length === 0) {
    throw new UserError(
      `mode: report needs input result-file (a Result JSON written by an earlier run) or input stack to measure.`,
    );
  }
  return {
    stacks: stackInput.map((p) => applyOverrides(loadStackFile(resolveStackPath(p, workspace)), overrides, inputLabel)),
    target,
  };
}

/** All inputs become one frozen plan here. */
export function planAction(getInput: (name: string) => string, env: NodeJS.ProcessEnv): ActionPlan {
  const event = readEvent(env);
  const { mode, reason } = resolveMode(getInput(INPUTS.mode), event);
  refuseBaselineOutsideDefaultBranch(mode, event);
  const workspace = env.GITHUB_WORKSPACE || process.cwd();
  const overrides = overridesOf(getInput);
  const resultFiles = splitList(getInput(INPUTS.resultFile));
  return Object.freeze({
    mode,
    modeReason: reason,
    compare: oneOf(INPUTS.compare, getInput(INPUTS.compare), ["baseline", "merge-base", "both"] as const, "merge-base"),
    ...stacksOf(getInput, mode, overrides, workspace),
    overrides,
    pin: bool(INPUTS.pin, getInput(INPUTS.pin), false),
    token: getInput(INPUTS.githubToken).trim(),
    apiUrl: env.GITHUB_API_URL || "https://api.github.com",
    failOnRegression: bool(INPUTS.failOnRegression, getInput(INPUTS.failOnRegression), true),
    failOnMissingBaseline: bool(INPUTS.failOnMissingBaseline, getInput(INPUTS.failOnMissingBaseline), false),
    comment: oneOf(INPUTS.comment, getInput(INPUTS.comment), ["always", "on-change", "never"] as const, "always"),
    install: bool(INPUTS.install, getInput(INPUTS.install), false),
    allowUntrusted: bool(INPUTS.allowUntrusted, getInput(INPUTS.allowUntrusted), false),
    reportArtifact: bool(INPUTS.reportArtifact, getInput(INPUTS.reportArtifact), false),
    run: { serverUrl: env.GITHUB_SERVER_URL || "https://github.com", runId: env.GITHUB_RUN_ID ?? "" },
    resultFiles: resultFiles.length > 0 ? resultFiles : null,
    baselineKey: baselineKeyInput(getInput(INPUTS.baselineKey)),
    baselineStore: oneOf(INPUTS.baselineStore, getInput(INPUTS.baselineStore), ["cache", "branch"] as const, "cache"),
    baselineBranch: dataBranchInput(getInput(INPUTS.baselineBranch)),
    maxBaselineAgeSeconds: ageInput(getInput(INPUTS.maxBaselineAge)),
    drift: oneOf(INPUTS.drift, getInput(INPUTS.drift), ["warn", "issue"] as const, "warn"),
    ab: abInputs(getInput, overrides),
    event,
    workspace,
    runnerTemp: env.RUNNER_TEMP || "/tmp",
    runtime: runtimeOf({ cwd: workspace, env, isTTY: false }, VERSION),
  });
}

/** Inputs max-pairs and max-time; under an A/B, input trials is the fewest pairs and must not exceed max-pairs. */
function abInputs(getInput: (name: string) => string, overrides: Overrides): ActionPlan["ab"] {
  const maxPairs = wholeNumber(INPUTS.maxPairs, getInput(INPUTS.maxPairs), 2, 200);
  const compare = getInput(INPUTS.compare).trim() || "merge-base";
  if (compare !== "baseline" && maxPairs !== null && overrides.trials !== undefined && maxPairs < overrides.trials) {
    throw new UserError(
      `Input max-pairs ${maxPairs} is below input trials ${overrides.trials}, the fewest A/B pairs under compare: ${compare}: give a max-pairs of at least ${overrides.trials}, or fewer trials.`,
    );
  }
  return { maxPairs, maxTimeSeconds: maxTime(getInput(INPUTS.maxTime)) };
}

function maxTime(raw: string): number | null {
  const v = raw.trim();
  return v === "" ? null : (seconds(inputLabel(INPUTS.maxTime), v, MAX_TIME_FORM) ?? null);
}
