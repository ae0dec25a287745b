// Pure: the help of the commands that bring a stack up: run, cost, capacity, up.

import { CAPACITY_DEFAULTS } from "../../capacity/search.js";
import { STACK_DEFAULTS } from "../../config/stack-spec.js";
import { type CommandSpec, EXIT, README, type RunFlag, STACK_ARG } from "./render.js";
import { allRunFlagsBut, D, RUN_ORDER, runFlags } from "./run-flags.js";

export const RUN: CommandSpec = {
  summary: "measure stacks (or a running service) and gate them",
  usage: ["loadgate run <stack>... [flags]", "loadgate run --target http://127.0.0.1:PORT/path [flags]"],
  about:
    "Brings each stack up, sends a warmup and then the measured trials, and brings it down. The gate judges " +
    "the stack file's absolute SLOs and error rate, and with --baseline the change against a stored Result.",
  args: [STACK_ARG],
  flags: runFlags(RUN_ORDER),
  exit: [EXIT.ok, EXIT.gate, EXIT.bad, EXIT.stack, EXIT.interrupted],
  readme: README("Measurement"),
};

/** The flags of timed runs that `cost` refuses (src/cli/run.ts says why, naming the flag). */
export const COST_REFUSED: RunFlag[] = [
  "duration",
  "warmup",
  "trials",
  "connections",
  "rate",
  "workers",
  "client",
  "no-keepalive",
  "total-requests",
  "pin",
  "target",
  "max-error-rate",
  "p99-threshold",
  "throughput-threshold",
];

export const COST: CommandSpec = {
  summary: "the cost run alone: the app's instructions per request under valgrind",
  usage: ["loadgate cost <stack>... [flags]"],
  about:
    "Brings each stack up with the app (one worker) under valgrind (callgrind), sends requests one at a time " +
    "and counts instructions per request per chunk; no timed trials. Set the run in the stack file's cost section.",
  args: [STACK_ARG],
  flags: runFlags(allRunFlagsBut(...COST_REFUSED, "cost", "no-cost", "sweep-time"), {
    baseline: {
      arg: "FILE",
      text: "compare instructions per request with a Result written earlier; exit 1 on a cost regression",
      default: "none: instructions per request are printed, not judged",
    },
  }),
  refused: [
    { flags: COST_REFUSED, why: "flags of timed runs; the cost run sends requests one at a time to one worker" },
    { flags: ["cost", "no-cost", "sweep-time"], why: "the cost run is on already, with one worker" },
  ],
  exit: [EXIT.ok, [1, "the cost gate failed (with --baseline)"], EXIT.bad, EXIT.stack, EXIT.interrupted],
  readme: README("Cost gate: instructions per request under valgrind"),
};

/** The flags of a timed run's windows and baselines that `capacity` refuses (src/cli/capacity.ts says why). */
export const CAPACITY_REFUSED: RunFlag[] = [
  "duration",
  "total-requests",
  "warmup",
  "trials",
  "rate",
  "target",
  "baseline",
  "save-baseline",
];
/** The gate's flags: capacity measures and prints, it gates nothing. */
const CAPACITY_UNGATED: RunFlag[] = [
  "pin",
  "baseline-key",
  "max-error-rate",
  "p99-threshold",
  "throughput-threshold",
  "cost",
  "no-cost",
  "cost-limit",
  "sweep-time",
];

export const CAPACITY: CommandSpec = {
  summary: "the highest open-loop rate at which P99 stays within an SLO",
  usage: ["loadgate capacity <stack>... --slo-p99 50ms [flags]"],
  about:
    "Per stack: a closed-loop trial for its throughput, then open-loop probes (each a " +
    `${STACK_DEFAULTS.capacityProbeWarmupSeconds}-s warmup and a ${STACK_DEFAULTS.capacityProbeSeconds}-s window by default: capacity.probe-warmup, capacity.probe-duration) until the highest rate with P99 within the SLO ` +
    "and no failed request is bracketed.",
  args: [STACK_ARG],
  flags: [
    [
      "slo-p99",
      {
        arg: "D",
        text: "the P99 the service must keep, e.g. 50ms",
        default: "the stack file's capacity.slo-p99; required if it gives none",
      },
    ],
    [
      "max-probes",
      {
        arg: "N",
        text: "the most open-loop probes, 1 to 50",
        default: `the stack file's capacity.max-probes, ${CAPACITY_DEFAULTS.maxProbes} if it gives none`,
      },
    ],
    ...runFlags(allRunFlagsBut(...CAPACITY_REFUSED, ...CAPACITY_UNGATED), {
      workers: {
        arg: "N",
        text: "fills {workers} in the app command, 1 to 512 (auto runs one worker: capacity does not sweep)",
        default: `the stack file's app.workers, ${D.workers} if it gives none`,
      },
      connections: {
        arg: "N",
        text: "connections of the closed-loop trial and of the open-loop probes, 1 to 10000",
        default: `the stack file's load.connections, ${D.connections} if it gives none`,
      },
      client: { arg: "native|autocannon", text: "the closed-loop trial's HTTP client", default: "native" },
    }),
  ],
  refused: [
    { flags: CAPACITY_REFUSED, why: "each probe's rate and windows are the search's" },
    { flags: CAPACITY_UNGATED, why: "capacity measures and prints; it gates nothing" },
  ],
  exit: [[0, "measured"], EXIT.bad, EXIT.stack, EXIT.interrupted],
  readme: README("Capacity at an SLO: `loadgate capacity`"),
};

const UP_USED: RunFlag[] = ["workers", "install"];
const UP_IGNORED = allRunFlagsBut(...UP_USED, "target");

export const UP: CommandSpec = {
  summary: "bring one stack up and keep it up until Ctrl-C",
  usage: ["loadgate up <stack> [flags]"],
  about:
    'Prints "database <url>" (the app\'s {database_url}, with the run\'s password) and "ready <url>" on stdout once the stack answers, and brings it down on Ctrl-C or SIGTERM.',
  args: [STACK_ARG],
  flags: runFlags(UP_USED, {
    workers: {
      arg: "N",
      text: "fills {workers} in the app command, 1 to 512 (auto runs one worker: up does not sweep)",
      default: `the stack file's app.workers, ${D.workers} if it gives none`,
    },
  }),
  refused: [
    { flags: ["target"], why: "up takes exactly one stack" },
    { flags: UP_IGNORED, why: "the flags of a measured run; up sends no load" },
  ],
  exit: [[0, "stopped by Ctrl-C or SIGTERM"], EXIT.bad, EXIT.stack],
  readme: README("The CLI"),
};
