// Pure: a stack file (or a --target) with the flags or inputs laid over it → the frozen plan of one
// stack, its final gate included. The one place a gate is assembled for a run.

import { cpus } from "node:os";
import { DEFAULT_GATE, finalGate } from "../compare/gate.js";
import { UserError } from "../errors.js";
import { flagLabel, type Label, type Overrides } from "./overrides.js";
import { type LoadPlan, type StackPlan, SWEEP_DEFAULT_BUDGET, type TargetPlan } from "./plan.js";
import { STACK_DEFAULTS, type StackSpec } from "./stack-spec.js";

export function applyOverrides(spec: StackSpec, o: Overrides, label: Label = flagLabel): StackPlan {
  const load: LoadPlan = {
    requests: spec.load.requests,
    connections: o.connections ?? spec.load.connections,
    rate: o.rate ?? spec.load.rate,
    warmupSeconds: o.warmupSeconds ?? spec.load.warmupSeconds,
    durationSeconds: o.durationSeconds ?? spec.load.durationSeconds,
    trials: o.trials ?? spec.load.trials,
    timeoutSeconds: spec.load.timeoutSeconds,
    keepalive: o.keepalive ?? spec.load.keepalive,
    totalRequests: o.totalRequests === undefined ? spec.load.totalRequests : o.totalRequests,
    client: o.client ?? "native",
    threads: o.loadThreads ?? spec.load.threads,
  };
  checkThreads(load, o.loadThreads === undefined ? `${spec.file}: load.threads` : label("load-threads"));
  checkLoad(load, o, spec, label);
  const wanted = o.workers ?? spec.app.workers;
  return Object.freeze({
    spec,
    // "auto": the sweep chooses before the measured trials; until then the app would start with one.
    workers: wanted === "auto" ? 1 : wanted,
    sweep:
      wanted === "auto"
        ? { maxWorkers: 4 * cpus().length, budgetSeconds: o.sweepSeconds ?? SWEEP_DEFAULT_BUDGET }
        : null,
    load,
    gate: finalGate(spec.gate, o),
    work: o.work === false || spec.work === null ? null : spec.work,
  });
}

/**
 * Threads: each needs a connection of its own, and they are the native client's (autocannon runs in the
 * main thread). `name` is how the source named the count (--load-threads, the stack file's key, ...).
 */
function checkThreads(load: LoadPlan, name: string): void {
  if (load.threads === 1) return;
  if (load.client === "autocannon") {
    throw new UserError(`${name} ${load.threads}: threads are the native client's; autocannon runs in one thread.`);
  }
  if (typeof load.threads === "number" && load.threads > load.connections) {
    throw new UserError(
      `${name} ${load.threads} with ${load.connections} connections: each thread needs at least one connection; use at most ${load.connections} threads or more connections.`,
    );
  }
  if (load.totalRequests !== null) {
    throw new UserError(
      `${name} ${load.threads} with a total of requests (total-requests ${load.totalRequests}): trials of a fixed number of requests run in one thread. Leave the threads out, or time the trials.`,
    );
  }
}

/** Where a load setting came from, for a message: the flag or input, or the stack file's line. */
function sourceOf(given: boolean, flag: string, spec: StackSpec | null, field: string): string {
  if (given || !spec) return flag;
  return `${spec.file}:${spec.lines[`load.${field}`] ?? spec.lines.load ?? 1}: load.${field}`;
}

/**
 * The load settings that do not go together. autocannon keeps its connections open (its
 * reconnectRate reconnects before it reports the answer, so every answer would be lost) and has no
 * trials of a fixed count; an open-loop run is timed (its rate × its duration).
 */
function checkLoad(load: LoadPlan, o: Overrides, spec: StackSpec | null, label: Label): void {
  const keepaliveFlag = label === flagLabel ? "--no-keepalive" : `${label("keepalive")} false`;
  const total = sourceOf(o.totalRequests != null, label("total-requests"), spec, "total-requests");
  const client = `${label("client")} autocannon`;
  const problems = [
    load.client === "autocannon" && !load.keepalive
      ? `${client} with ${o.keepalive === false || !spec ? keepaliveFlag : `${sourceOf(false, "", spec, "keepalive")}: false`}: a new connection for every request needs the native client (autocannon keeps its connections open). Leave ${label("client")} out (native), or keep connections open.`
      : "",
    load.client === "autocannon" && load.totalRequests !== null
      ? `${client} with ${total}: trials of a fixed number of requests need the native client. Leave ${label("client")} out (native).`
      : "",
    load.rate !== null && load.totalRequests !== null
      ? `${total} with ${sourceOf(o.rate !== undefined, label("rate"), spec, "rate")}: trials of a fixed number of requests are closed loop; an open-loop run is timed (its rate × load.duration). Give one of them.`
      : "",
    load.totalRequests !== null && load.totalRequests < load.trials
      ? `${total} ${load.totalRequests} is fewer than the ${load.trials} trials it is shared among: give at least one request per trial.`
      : "",
  ].filter(Boolean);
  if (problems.length > 0) throw new UserError(problems.join("\n"));
}

/** Defaults for --target runs, the same as a stack file's. */
export const TARGET_DEFAULTS = {
  connections: STACK_DEFAULTS.connections,
  warmupSeconds: STACK_DEFAULTS.warmupSeconds,
  durationSeconds: STACK_DEFAULTS.durationSeconds,
  trials: STACK_DEFAULTS.trials,
  timeoutSeconds: STACK_DEFAULTS.timeoutSeconds,
};

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|\[::1\])$/;

function targetUrl(raw: string, name: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UserError(`${name}: ${JSON.stringify(raw)} is not a URL; expected e.g. http://127.0.0.1:8080/path.`);
  }
  if (url.protocol !== "http:") {
    throw new UserError(
      `${name}: only http:// URLs are supported, got ${url.protocol}// (measure the service behind TLS termination).`,
    );
  }
  if (!LOOPBACK.test(url.hostname)) {
    throw new UserError(
      `${name}: ${url.hostname} is not this machine. loadgate only sends load to loopback addresses (127.0.0.1, ::1, localhost).`,
    );
  }
  return url;
}

/** `--target URL` (input target): an already running service on this machine. */
export function planTarget(raw: string, o: Overrides, positionals: string[], label: Label = flagLabel): TargetPlan {
  if (o.cost === true || o.costLimit !== undefined) {
    throw new UserError(
      `${label("cost")} with ${label("target")}: the cost run starts the app itself under valgrind, so it needs a stack file, not a running service.`,
    );
  }
  if (positionals.length > 0) {
    throw new UserError(
      `${label("target")} measures a running service: give either stacks (${positionals.join(" ")}) or ${label("target")}, not both.`,
    );
  }
  const url = targetUrl(raw, label("target"));
  const load: LoadPlan = {
    requests: [{ path: `${url.pathname}${url.search}`, method: "GET", headers: {} }],
    connections: o.connections ?? TARGET_DEFAULTS.connections,
    rate: o.rate ?? null,
    warmupSeconds: o.warmupSeconds ?? TARGET_DEFAULTS.warmupSeconds,
    durationSeconds: o.durationSeconds ?? TARGET_DEFAULTS.durationSeconds,
    trials: o.trials ?? TARGET_DEFAULTS.trials,
    timeoutSeconds: TARGET_DEFAULTS.timeoutSeconds,
    keepalive: o.keepalive ?? true,
    totalRequests: o.totalRequests ?? null,
    client: o.client ?? "native",
    threads: o.loadThreads ?? 1,
  };
  checkThreads(load, label("load-threads"));
  checkLoad(load, o, null, label);
  return Object.freeze({ url: url.toString(), load, gate: finalGate(DEFAULT_GATE, o) });
}
