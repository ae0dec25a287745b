// What a run tells its caller as it goes (log lines, phases, progress, each component started) and
// how the caller stops it: the one interface between the engine and an entry point's output.

import type { Progress } from "../load/types.js";
import type { StackContext } from "../stack/stack.js";

export type PhaseName = "install" | "up" | "warmup" | "trials" | "down" | "cost" | "sweep" | "capacity" | "work";

export interface EngineHooks {
  log: (line: string) => void;
  /** Called as each stack enters a phase, so the Action can fold each into its own log group. */
  onPhase?: (stack: string, phase: PhaseName) => void;
  onProgress?: (stack: string, p: Progress) => void;
  onComponent?: StackContext["onComponent"];
  signal?: AbortSignal;
}
