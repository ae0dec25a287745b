// The frozen plan a run is made from: validated once at the edge (stack file, CLI flags, Action
// inputs), each stack with its final gate. Nothing downstream reads argv or the environment, and
// nothing downstream merges or overrides a gate.

import type { Gate } from "../compare/gate.js";
import type { BinarySearch } from "./binary-search.js";
import type { StackSpec } from "./stack-spec.js";

/** The load of one run after the flags or inputs are laid over the stack file. */
export interface LoadPlan {
  requests: StackSpec["load"]["requests"];
  connections: number;
  rate: number | null;
  warmupSeconds: number;
  durationSeconds: number;
  trials: number;
  timeoutSeconds: number;
  /** false: a new TCP connection for every request, as ApacheBench without -k (native client only). */
  keepalive: boolean;
  /**
   * The measured trials are this many requests in all, in equal shares (closed loop, native client),
   * as ApacheBench's -n; durationSeconds is then unused. null: timed trials.
   */
  totalRequests: number | null;
  /** The HTTP client: loadgate's own lean connections, or autocannon (closed loop only; kept for comparison). */
  client: "native" | "autocannon";
  /** The native client's worker threads (1: the main thread sends the load), or auto (src/load/auto-threads.ts). */
  threads: number | "auto";
}

export interface StackPlan {
  spec: StackSpec;
  workers: number;
  /** workers: auto: the sweep's bounds; null when the count is given. */
  sweep: SweepPlan | null;
  load: LoadPlan;
  /** The final gate: the stack file's with the flags or inputs laid over it (src/compare/gate.ts finalGate). */
  gate: Gate;
  /** The work count after the trials; null: off (--no-work, work: false, the Action's work: false). */
  work: WorkPlan | null;
}

/** The work count's size: `chunks` chunks of `chunkRequests` requests (docs/work.md). */
export interface WorkPlan {
  chunks: number;
  chunkRequests: number;
}

export interface TargetPlan {
  url: string;
  load: LoadPlan;
  /** The final gate: the default with the flags or inputs laid over it (a --target has no stack file). */
  gate: Gate;
}

/** workers: auto: the most workers the sweep tries and its time budget (its noise rules are the sweep's own). */
export interface SweepPlan {
  maxWorkers: number;
  budgetSeconds: number;
}

/** The sweep's time budget when --sweep-time does not give one. */
export const SWEEP_DEFAULT_BUDGET = 120;

/** The parts of a plan that come from the machine and the process's environment, not from flags. */
export interface Runtime {
  binarySearch: BinarySearch;
  /** Where virtualenvs and app.setup outputs are cached. */
  cacheDir: string;
  /** Parent folder of each run's temporary folder. */
  tmpDir: string;
  /** Environment every process of the run starts from: the allowlist of src/child-env.ts (baseEnvOf). */
  baseEnv: Record<string, string>;
  /**
   * loadgate's own environment, as data: read by name only, for the variables a stack file's
   * app.pass-env lists (passEnvOf) and loadgate's own settings. Never given to a process whole.
   */
  hostEnv: Readonly<Record<string, string>>;
  /**
   * The run is a GitHub Actions push, schedule or workflow_dispatch on the default branch (event.ts
   * untrustedReason): its Python environments are kept apart from those any other run made or used.
   */
  trustedRun: boolean;
  toolVersion: string;
}

/** Everything a `run` needs. */
export interface RunPlan extends Runtime {
  stacks: StackPlan[];
  target: TargetPlan | null;
  install: boolean;
  /** Give the load generator CPU 0 and the stack the rest. */
  pin: boolean;
  jsonOut: string | null;
  baselineFile: string | null;
  saveBaseline: string | null;
  /** --baseline-key: a name for a class of machines that replaces the machine in the environment id. */
  baselineKey: string | null;
  /** `loadgate cost`: the cost run only, no timed trials. */
  costOnly: boolean;
  /** `loadgate work`: the work count only (after the stack's warmup), no timed trials. */
  workOnly: boolean;
}
