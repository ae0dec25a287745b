// Pure: the flags of the CLI and the inputs of the Action that lay themselves over a stack file's
// load and gate. One validator per value, shared by both entry points; each message names the value
// the way its source does ("--max-error-rate …", "Input max-error-rate …").

import { GATED_WORK, type GatedWork, type GateOverrides, type MetricGate, type WorkLimit } from "../compare/gate.js";
import { UserError } from "../errors.js";
import { ERROR_RATE_FORM, parseDuration, parseErrorRate, parsePercent } from "./duration.js";
import { parseMetricGate, parseWorkLimit } from "./gate-forms.js";
import { splitList } from "./list-input.js";

/** How a source names a value in its messages: `--duration` for a flag, `Input duration` for an input. */
export type Label = (name: string) => string;
export const flagLabel: Label = (name) => `--${name}`;
export const inputLabel: Label = (name) => `Input ${name}`;

export interface Overrides extends GateOverrides {
  client?: "native" | "autocannon";
  /** --load-threads (input load-threads): a count, or "auto". */
  loadThreads?: number | "auto";
  durationSeconds?: number;
  warmupSeconds?: number;
  trials?: number;
  connections?: number;
  rate?: number;
  /** A count, or "auto": the sweep chooses (see src/sweep/rules.ts). */
  workers?: number | "auto";
  /** --sweep-time: the sweep's time budget in seconds. */
  sweepSeconds?: number;
  /** false: no work count (--no-work, the Action's work: false); absent: the stack file decides. */
  work?: boolean;
  /** false: a new connection per request (--no-keepalive, the Action's keepalive: false); absent: the stack file decides. */
  keepalive?: boolean;
  /** --total-requests: trials of this many requests in all; null: timed trials whatever the stack file says (an A/B's windows). */
  totalRequests?: number | null;
}

/** Raw values by their shared name (a flag's or an input's): duration, warmup, trials, max-error-rate, … */
export type RawValues = Record<string, string | boolean | undefined>;

function number(
  label: string,
  value: string | undefined,
  opts: { integer?: boolean; min: number; max?: number },
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  const ok =
    value.trim() !== "" &&
    Number.isFinite(n) &&
    (!opts.integer || Number.isInteger(n)) &&
    n >= opts.min &&
    (opts.max === undefined || n <= opts.max);
  if (!ok) {
    const kind = opts.integer ? "a whole number" : "a number";
    const range = opts.max === undefined ? `≥ ${opts.min}` : `from ${opts.min} to ${opts.max}`;
    throw new UserError(`${label}: expected ${kind} ${range}, got ${JSON.stringify(value)}.`);
  }
  return n;
}

/**
 * Seconds (duration, warmup, sweep-time, max-time): a number, or the stack file's forms ("5s",
 * "500ms", "2m"); at least `min`, and above zero when `aboveZero`.
 */
export function seconds(
  label: string,
  value: string | undefined,
  o: { min: number; aboveZero?: boolean; examples?: string },
): number | undefined {
  if (value === undefined) return undefined;
  const n = parseDuration(value);
  if (!(n >= o.min) || (o.aboveZero && n === 0)) {
    throw new UserError(
      `${label}: expected seconds${o.aboveZero ? " above zero" : ""} (e.g. ${o.examples ?? "10, 10s, 500ms, 2m"}), got ${JSON.stringify(value)}.`,
    );
  }
  return n;
}

/** max-time (the flag and the input): seconds above zero, a bound on a whole A/B run. */
export const MAX_TIME_FORM = { min: 0, aboveZero: true, examples: "900, 900s, 15m" };

/** max-error-rate: "1%" (or the stack file's "<1%") as a fraction. */
export function errorRate(label: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = parseErrorRate(value.trim(), "N%");
  if (Number.isNaN(n))
    throw new UserError(`${label}: expected ${ERROR_RATE_FORM["N%"]}, got ${JSON.stringify(value)}.`);
  return n;
}

/** cost-limit: "+1%" (or "1%") as a fraction. */
function costLimit(label: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = parsePercent(/^\d/.test(value.trim()) ? `+${value.trim()}` : value);
  if (!(n > 0)) {
    throw new UserError(
      `${label}: expected a percentage above zero like "+1%" (how much the app's instructions per request may grow), got ${JSON.stringify(value)}.`,
    );
  }
  return n;
}

/** The Action's input cost: empty (the stack file decides), true or false, or a limit like "+1%" (which turns it on). */
export function costInput(raw: string, label: Label = inputLabel): Pick<Overrides, "cost" | "costLimit"> {
  const v = raw.trim();
  if (v === "") return {};
  if (v === "true") return { cost: true };
  if (v === "false") return { cost: false };
  const n = parsePercent(v);
  if (v.startsWith("+") && n > 0) return { cost: true, costLimit: n };
  throw new UserError(
    `${label("cost")}: expected true, false or a limit like "+1%" (how much the app's instructions per request may grow), got ${JSON.stringify(raw)}.`,
  );
}

/** The Action's input work: empty or true (the stack file decides; on by default), or false. */
export function workInput(raw: string, label: Label = inputLabel): Pick<Overrides, "work"> {
  const v = raw.trim();
  if (v === "" || v === "true") return {};
  if (v === "false") return { work: false };
  throw new UserError(
    `${label("work")}: expected true or false (count the database work each request does), got ${JSON.stringify(raw)}.`,
  );
}

/** The Action's input keepalive: empty (the stack file decides), true or false (a new connection per request). */
export function keepaliveInput(raw: string, label: Label = inputLabel): Pick<Overrides, "keepalive"> {
  const v = raw.trim();
  if (v === "") return {};
  if (v === "true" || v === "false") return { keepalive: v === "true" };
  throw new UserError(
    `${label("keepalive")}: expected true or false (false: a new connection for every request, as ApacheBench without -k), got ${JSON.stringify(raw)}.`,
  );
}

/** p99-threshold / throughput-threshold: a relative limit, an SLO, or both. */
export function threshold(label: string, values: string[], metric: "p99" | "throughput"): MetricGate | undefined {
  if (values.length === 0) return undefined;
  const parsed = parseMetricGate(metric, values);
  if ("problem" in parsed) throw new UserError(`${label}: ${parsed.problem}`);
  return parsed.gate;
}

function client(label: Label, values: RawValues): Overrides["client"] {
  const c = values.client as string | undefined;
  if (c !== undefined && c !== "native" && c !== "autocannon") {
    throw new UserError(`${label("client")}: expected native or autocannon, got ${JSON.stringify(c)}.`);
  }
  if (c === "autocannon" && values.rate !== undefined) {
    throw new UserError(
      `${label("client")} autocannon: open-loop load (${label("rate")}) needs the native client; autocannon's rate limit is bursty.`,
    );
  }
  return c;
}

/** --load-threads: 1 to 64, or auto. */
function loadThreads(label: string, value: string | undefined): Overrides["loadThreads"] {
  if (value === undefined || value.trim() === "auto") return value === undefined ? undefined : "auto";
  const n = Number(value);
  if (value.trim() === "" || !Number.isInteger(n) || n < 1 || n > MAX_LOAD_THREADS) {
    throw new UserError(
      `${label}: expected a whole number of threads from 1 to ${MAX_LOAD_THREADS}, or auto, got ${JSON.stringify(value)}.`,
    );
  }
  return n;
}

/** The most worker threads the load client takes (the stack file's schema says the same). */
export const MAX_LOAD_THREADS = 64;

/** --cost / --no-cost (the Action's cost: true / false): on, off, or the stack file decides. */
function costSwitch(label: Label, values: RawValues): boolean | undefined {
  if (values.cost === true && values["no-cost"] === true) {
    throw new UserError(`${label("cost")} and ${label("no-cost")}: give one of them.`);
  }
  return values.cost === true ? true : values["no-cost"] === true ? false : undefined;
}

/** The work counts' limit flags and inputs: statements-threshold, rows-threshold, pages-threshold, connections-threshold. */
export const WORK_THRESHOLDS: Readonly<Record<GatedWork, string>> = Object.freeze({
  statements: "statements-threshold",
  rows: "rows-threshold",
  pages: "pages-threshold",
  connections: "connections-threshold",
});

/** Each work limit given ("+10%", "<4" or "off", as gate.statements takes), validated; absent when none is given. */
function workLimits(label: Label, values: RawValues): Overrides["workLimits"] {
  const limits: Partial<Record<GatedWork, WorkLimit | null>> = {};
  for (const m of GATED_WORK) {
    const raw = values[WORK_THRESHOLDS[m]] as string | undefined;
    if (raw === undefined) continue;
    const parsed = parseWorkLimit(raw);
    if ("problem" in parsed) throw new UserError(`${label(WORK_THRESHOLDS[m])}: ${parsed.problem}`);
    limits[m] = parsed.limit;
  }
  return Object.keys(limits).length > 0 ? limits : undefined;
}

/** A threshold given as text: one value or several separated by commas (or lines). */
function thresholdOf(label: Label, values: RawValues, metric: "p99" | "throughput"): MetricGate | undefined {
  const raw = values[`${metric}-threshold`] as string | undefined;
  return raw === undefined ? undefined : threshold(label(`${metric}-threshold`), splitList(raw), metric);
}

/** The load and gate values given by flags or inputs, validated; absent values stay undefined. */
export function parseOverrides(values: RawValues, label: Label = flagLabel): Overrides {
  const str = (name: string) => values[name] as string | undefined;
  const workers = str("workers");
  const costLimitValue = costLimit(label("cost-limit"), str("cost-limit"));
  if (values["no-cost"] === true && costLimitValue !== undefined) {
    throw new UserError(
      `${label("no-cost")} and ${label("cost-limit")}: a cost limit turns the cost gate on; give one of them.`,
    );
  }
  return {
    client: client(label, values),
    loadThreads: loadThreads(label("load-threads"), str("load-threads")),
    durationSeconds: seconds(label("duration"), str("duration"), { min: 0, aboveZero: true }),
    warmupSeconds: seconds(label("warmup"), str("warmup"), { min: 0 }),
    trials: number(label("trials"), str("trials"), { integer: true, min: 1, max: 1000 }),
    connections: number(label("connections"), str("connections"), { integer: true, min: 1, max: 10000 }),
    rate: number(label("rate"), str("rate"), { min: 0.001 }),
    workers: workers === "auto" ? "auto" : number(label("workers"), workers, { integer: true, min: 1, max: 512 }),
    sweepSeconds: seconds(label("sweep-time"), str("sweep-time"), { min: 1 }),
    errorRate: errorRate(label("max-error-rate"), str("max-error-rate")),
    cost: costSwitch(label, values),
    work: values["no-work"] === true ? false : undefined,
    keepalive: values["no-keepalive"] === true ? false : undefined,
    totalRequests: number(label("total-requests"), str("total-requests"), { integer: true, min: 1, max: 100_000_000 }),
    costLimit: costLimitValue,
    p99: thresholdOf(label, values, "p99"),
    throughput: thresholdOf(label, values, "throughput"),
    workLimits: workLimits(label, values),
  };
}
