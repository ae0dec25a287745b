import type { BinarySearch } from "../stack/binaries.js";
import type { SweepLimits } from "../sweep/sweep.js";
import type { GateSpec, StackSpec } from "./stack-spec.js";

/** The load of one run after CLI flags are laid over the stack file. */
export interface LoadPlan {
  requests: StackSpec["load"]["requests"];
  connections: number;
  rate: number | null;
  warmupSeconds: number;
  durationSeconds: number;
  trials: number;
  timeoutSeconds: number;
  /** The HTTP client: loadgate's own lean connections, or autocannon (closed loop only; kept for comparison). */
  client: "native" | "autocannon";
}

export interface StackPlan {
  spec: StackSpec;
  workers: number;
  /** workers: auto: the sweep's limits; null when the count is given. */
  sweep: SweepLimits | null;
  load: LoadPlan;
  /** The stack file's gate with the flags laid over it (--max-error-rate). */
  gate: GateSpec;
}

export interface TargetPlan {
  url: string;
  load: LoadPlan;
  /** The default gate with the flags laid over it: a --target has no stack file. */
  gate: GateSpec;
}

/** Everything a `run` needs, validated once at the edge. Nothing downstream reads argv or the environment. */
export interface RunPlan {
  stacks: StackPlan[];
  target: TargetPlan | null;
  install: boolean;
  /** Give the load generator CPU 0 and the stack the rest. */
  pin: boolean;
  binarySearch: BinarySearch;
  jsonOut: string | null;
  baselineFile: string | null;
  saveBaseline: string | null;
  /** --baseline-key: a name for a class of machines that replaces the machine in the environment id. */
  baselineKey: string | null;
  /** `loadgate cost`: the cost run only, no timed trials. */
  costOnly: boolean;
  /** Where virtualenvs are cached. */
  cacheDir: string;
  /** Parent folder of each run's temporary folder. */
  tmpDir: string;
  /** Environment given to the app (before the stack's own env and placeholders). */
  baseEnv: Record<string, string>;
  toolVersion: string;
}
