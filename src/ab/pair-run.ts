// The state of one stack's same-runner A/B while it runs, shared by the driver and the Result it becomes.

import type { Histogram } from "hdr-histogram-js";
import type { Comparison, SequentialInfo } from "../compare/metrics.js";
import type { AbPair } from "../compare/pairs.js";
import type { RunPlan } from "../config/plan.js";
import type { EngineHooks } from "../engine/hooks.js";
import type { PreparedStack } from "../engine/prepare.js";
import type { machineFacts } from "../result/environment.js";
import type { CapacityRecord, CostRecord, CpuAccount, SweepRecord, Trial, WorkRecord } from "../result/types.js";
import type { DatabaseTemplate } from "../stack/stack.js";
import type { LookPlan } from "./looks.js";
import type { AbPlan } from "./plan.js";
import type { Side } from "./schedule.js";

/** One stack's A/B as it runs: both sides, what was measured so far, and how the sequential run goes. */
export interface PairRun {
  ab: AbPlan;
  run: RunPlan;
  hooks: EngineHooks;
  name: string;
  facts: ReturnType<typeof machineFacts>;
  sides: Record<Side, PreparedStack>;
  templates: Partial<Record<Side, DatabaseTemplate>>;
  trials: Record<Side, Trial[]>;
  histograms: Record<Side, Histogram[]>;
  pairs: AbPair[];
  looks: LookPlan;
  notes: string[];
  costs: Partial<Record<Side, CostRecord>>;
  capacities: Partial<Record<Side, CapacityRecord>>;
  /** The work count of each side, taken once on the first block's stacks (src/ab/work.ts). */
  works: Partial<Record<Side, WorkRecord>>;
  /** Each side's CPU over its measured windows, added up (the app's CPU per request in the joining line). */
  cpus: Partial<Record<Side, CpuAccount>>;
  sweep?: SweepRecord;
  blockTimes: number[];
  setupSeconds: number;
  looksTaken: number;
  stoppedBecause: SequentialInfo["stoppedBecause"];
  comparison?: Comparison;
}
