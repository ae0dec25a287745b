// The event a workflow runs for (GITHUB_EVENT_NAME, GITHUB_EVENT_PATH), read once when the plan is
// made, and the mode \`mode: auto\` resolves to from it.

import { readFileSync } from "node:fs";
import { UserError } from "../errors.js";

export type Mode = "gate" | "baseline" | "report";

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

/** The events whose code is the default branch's own: the only ones a baseline is stored from. */
export const BASELINE_EVENTS = ["push", "schedule", "workflow_dispatch"] as const;

/**
 * Why this run is not the default branch's own code, or null when it is: a `push`, `schedule` or
 * `workflow_dispatch` event on the default branch. Decided by the event first: under
 * `pull_request_target` and `workflow_run`, GITHUB_REF is the default branch while the code that ran
 * (or the artifact read) may come from a pull request. GitHub runs `schedule` only on the default
 * branch, and its payload names no default branch, so there the ref is checked only when it does.
 */
export function untrustedReason(event: EventInfo): string | null {
  const name = event.name || "unknown";
  if (!(BASELINE_EVENTS as readonly string[]).includes(event.name)) {
    return `this run is ${/^[aeiou]/.test(name) ? "an" : "a"} ${name} event, whose code may come from a pull request or another branch`;
  }
  if (event.name === "schedule" && event.defaultBranch === null) return null;
  if (event.defaultBranch === null) {
    return `the ${event.name} event's payload does not name the repository's default branch, so this run cannot show that it is on it`;
  }
  if (event.ref !== `refs/heads/${event.defaultBranch}`) {
    return `this run is on ${event.ref || "an unknown ref"}, not the default branch ${event.defaultBranch}`;
  }
  return null;
}

/** mode: baseline outside a push, schedule or workflow_dispatch on the default branch: refused before anything runs. */
export function refuseBaselineOutsideDefaultBranch(mode: Mode, event: EventInfo): void {
  if (mode !== "baseline") return;
  const why = untrustedReason(event);
  if (why === null) return;
  throw new UserError(
    `mode: baseline: not stored: ${why}. A baseline is stored only from the default branch's own code, under ${BASELINE_EVENTS.join(", ")} on the default branch, so that a pull request's code never becomes the numbers every pull request is judged against. Use mode: gate (or auto) here, and store baselines from a workflow on push to the default branch (or schedule, workflow_dispatch) with mode: baseline or auto.`,
  );
}

/** `auto`: a baseline on pushes to the default branch, a gate on pull requests, a plain report otherwise. */
export function resolveMode(raw: string, event: EventInfo): { mode: Mode; reason: string } {
  const m = oneOf("mode", raw, ["auto", "gate", "baseline", "report"] as const, "auto");
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

/** An input that takes one of a few words; empty: the fallback. */
export function oneOf<T extends string>(name: string, raw: string, allowed: readonly T[], fallback: T): T {
  const v = raw.trim();
  if (v === "") return fallback;
  if ((allowed as readonly string[]).includes(v)) return v as T;
  throw new UserError(`Input ${name}: expected one of ${allowed.join(", ")}, got ${JSON.stringify(raw)}.`);
}
