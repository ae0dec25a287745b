// Pure: the help of every flag a measured run takes (RUN_OPTIONS), with its default read from the code.

import {
  DEFAULT_COST_LIMIT,
  DEFAULT_GATE,
  DEFAULT_WORK_GATE,
  type GatedWork,
  type WorkLimit,
} from "../../compare/gate.js";
import { TARGET_DEFAULTS } from "../../config/apply.js";
import { SWEEP_DEFAULT_BUDGET } from "../../config/plan.js";
import { STACK_DEFAULTS } from "../../config/stack-spec.js";
import { type FlagHelp, pct, type RunFlag } from "./render.js";

export const D = STACK_DEFAULTS;

/** A work limit as the stack file writes it: "+10%", "<4", "off". */
const limitText = (l: WorkLimit | null) => {
  if (l === null) return "off";
  if (l.kind === "below") return `<${l.max}`;
  return l.readOnly === undefined
    ? `+${pct(l.limit)}`
    : `+${pct(l.readOnly)} (+${pct(l.limit)} where the app writes rows)`;
};

/** The help of one work count's limit flag (--statements-threshold, …), its default read from DEFAULT_WORK_GATE. */
function workThreshold(metric: GatedWork, what: string): FlagHelp {
  return {
    arg: "T",
    text:
      `the ${what} per request: a growth like "+10%" against the baseline, a ceiling like "<4" per request, or "off"; ` +
      `replaces the stack file's gate.${metric} (the Action's input ${metric}-threshold; docs/work.md)`,
    default: `the stack file's gate.${metric}, ${limitText(DEFAULT_WORK_GATE[metric])} if it gives none`,
  };
}

/** Every flag of `loadgate run` (RUN_OPTIONS): the type makes a new flag without help a compile error. */
export const RUN_FLAGS: Record<RunFlag, FlagHelp> = {
  duration: {
    arg: "S",
    text: "seconds of each measured trial: 10, 10s, 500ms, 2m",
    default: `the stack file's load.duration, ${D.durationSeconds} s if it gives none`,
  },
  warmup: {
    arg: "S",
    text: "seconds of unrecorded load before the trials",
    default: `the stack file's load.warmup, ${D.warmupSeconds} s if it gives none`,
  },
  trials: {
    arg: "N",
    text: "measured trials, 1 to 1000",
    default: `the stack file's load.trials, ${D.trials} if it gives none`,
  },
  connections: {
    arg: "N",
    text: "connections, 1 to 10000; closed loop: each sends its next request when the last is answered",
    default: `the stack file's load.connections, ${D.connections} if it gives none`,
  },
  rate: {
    arg: "R",
    text: "open loop: R requests per second on a uniform schedule, over the --connections (native client only)",
    default: "the stack file's load.rate; without one, closed loop",
  },
  workers: {
    arg: "N|auto",
    text: "fills {workers} in the app command, 1 to 512; auto: the worker sweep chooses the count before the trials",
    default: `the stack file's app.workers, ${D.workers} if it gives none`,
  },
  "sweep-time": {
    arg: "S",
    text: "the worker sweep's time budget (with --workers auto or app.workers: auto)",
    default: `${SWEEP_DEFAULT_BUDGET} s`,
  },
  client: {
    arg: "native|autocannon",
    text: "the HTTP client: loadgate's own, or autocannon (closed loop only; kept to compare)",
    default: "native",
  },
  "load-threads": {
    arg: "N|auto",
    text:
      "worker threads of the native client, 1 to 64 and at most --connections, each with its share of the " +
      "connections (and of the --rate schedule); auto: the fewest of which none is saturated, trying each " +
      "count for 1 s, within the CPUs not left to the stack (1 on a 2-CPU machine)",
    default: "the stack file's load.threads, 1 if it gives none",
  },
  "no-keepalive": {
    text:
      "a new TCP connection for every request (Connection: close), as ApacheBench without -k; the latency " +
      "includes the connect (native client only; the Action's keepalive: false)",
    default: "the stack file's load.keepalive, connections kept open if it gives none",
  },
  "total-requests": {
    arg: "N",
    text:
      "the measured trials are N requests in all, in equal shares back to back, instead of --duration each " +
      "(as ApacheBench's -n); closed loop, native client",
    default: "the stack file's load.total-requests; without one, timed trials",
  },
  pin: {
    text: "the load generator on CPU 0, the stack on the other CPUs (taskset; needs 2 CPUs)",
    default: "off; on when the stack file's load.pin is true",
  },
  target: {
    arg: "URL",
    text:
      "measure a service already running on this machine (http only; 127.0.0.1, ::1 or localhost) " +
      "instead of stacks",
    default:
      `none; a target's load is ${TARGET_DEFAULTS.connections} connections, ${TARGET_DEFAULTS.warmupSeconds} s ` +
      `warmup, ${TARGET_DEFAULTS.trials} trials of ${TARGET_DEFAULTS.durationSeconds} s`,
  },
  "max-error-rate": {
    arg: "P",
    text:
      "the most requests that may fail (connection errors, timeouts, non-2xx), 0% to 100%, e.g. 1%; " +
      "more fails the gate (exit 1), with or without --baseline",
    default: `the stack file's gate.error-rate, <${pct(DEFAULT_GATE.errorRate)} if it gives none`,
  },
  "p99-threshold": {
    arg: "T",
    text:
      'the P99 gate: a growth like "+10%" against the baseline, an SLO like "<50ms", or both ("+10%,<50ms"); ' +
      "replaces the stack file's gate.p99 (the Action's input p99-threshold)",
    default: `the stack file's gate.p99, +${pct(DEFAULT_GATE.p99 ?? 0)} if it gives none`,
  },
  "throughput-threshold": {
    arg: "T",
    text:
      'the throughput gate: a drop like "-5%", an SLO like ">1000/s", or both; replaces the stack file\'s ' +
      "gate.throughput (the Action's input throughput-threshold)",
    default: `the stack file's gate.throughput, ${pct(DEFAULT_GATE.throughput ?? 0)} if it gives none`,
  },
  "statements-threshold": workThreshold("statements", "work gate on SQL statements (transaction control apart)"),
  "rows-threshold": workThreshold("rows", "work gate on rows returned or affected"),
  "pages-threshold": workThreshold("pages", "work gate on shared buffer pages touched"),
  "connections-threshold": workThreshold("connections", "work gate on connections opened"),
  cost: {
    text: "also count the app's instructions per request under valgrind (the cost run) and gate them",
    default: "off; on when the stack file's gate has cost",
  },
  "no-cost": {
    text: "no cost run and no cost gate, even when the stack file's gate has cost (the Action's cost: false)",
    default: "off",
  },
  "cost-limit": {
    arg: "+N%",
    text: "the cost gate's limit: how much instructions per request may grow (turns --cost on)",
    default: `the stack file's gate.cost, +${pct(DEFAULT_COST_LIMIT)} if it gives none`,
  },
  "no-work": {
    text: "no work count after the trials (the database work per request: statements, rows, pages, connections; docs/work.md) (the Action's work: false)",
    default: "on, unless the stack file has work: false",
  },
  json: { arg: "FILE", text: "write the Result document (JSON) to FILE", default: "none, not written" },
  baseline: {
    arg: "FILE",
    text: "compare with a Result written earlier (--json or --save-baseline); exit 1 on a regression",
    default: "none: no comparison; absolute SLOs and the error rate are still judged",
  },
  "save-baseline": {
    arg: "FILE",
    text: "write this run as a baseline file, with the history of --baseline if given",
    default: "none, not written",
  },
  "baseline-key": {
    arg: "NAME",
    text:
      "compare and save baselines under NAME, a class of machines you vouch for " +
      '(1 to 64 letters, digits, ".", "_", "-")',
    default: "this machine: its CPU, cores, memory, OS and versions",
  },
  install: {
    text: "install missing system packages (apt-get, as root or with passwordless sudo) and Python requirements (pip)",
    default: "off; a missing one is bad input, exit 2",
  },
};

export const RUN_ORDER: readonly RunFlag[] = [
  "duration",
  "warmup",
  "trials",
  "connections",
  "rate",
  "workers",
  "sweep-time",
  "client",
  "load-threads",
  "no-keepalive",
  "total-requests",
  "pin",
  "target",
  "max-error-rate",
  "p99-threshold",
  "throughput-threshold",
  "statements-threshold",
  "rows-threshold",
  "pages-threshold",
  "connections-threshold",
  "cost",
  "no-cost",
  "cost-limit",
  "no-work",
  "json",
  "baseline",
  "save-baseline",
  "baseline-key",
  "install",
];

/** The run flags named, in RUN_ORDER, with some texts replaced. */
export function runFlags(
  names: readonly RunFlag[],
  replace: Partial<Record<string, FlagHelp>> = {},
): (readonly [string, FlagHelp])[] {
  return RUN_ORDER.filter((n) => names.includes(n)).map((n) => [n, replace[n] ?? RUN_FLAGS[n]] as const);
}

export const allRunFlagsBut = (...not: RunFlag[]) => RUN_ORDER.filter((n) => !not.includes(n));
