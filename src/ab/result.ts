// A side of a same-runner A/B as a Result entry: its trials, and what was measured once per side.

import { stackInfo, stackResult } from "../engine/prepare.js";
import { buildEnvironment } from "../result/environment.js";
import type { StackResult } from "../result/types.js";
import type { PairRun } from "./pair-run.js";
import type { Side } from "./schedule.js";

export function abResult(r: PairRun, side: Side): StackResult {
  const s = r.sides[side];
  const cost = r.costs[side];
  const capacity = r.capacities[side];
  const work = r.works[side];
  const sweep = r.sweep;
  return {
    ...stackResult({
      stack: stackInfo(s.plan),
      workers: s.plan.workers,
      environment: buildEnvironment({ ...r.facts, versions: s.versions, stackFileHash: s.plan.spec.fileHash }),
      target: s.plan.spec.proxy ? "nginx" : "app",
      load: r.sides.head.plan.load,
      trials: r.trials[side],
      histograms: r.histograms[side],
      cpu: r.cpus[side] ?? null,
      placement: { pinned: false, loadGenerator: "all", stack: "all" },
      warnings: [],
    }),
    ...(cost ? { cost } : {}),
    ...(capacity ? { capacity } : {}),
    ...(work ? { work } : {}),
    ...(sweep ? { sweep: side === "base" ? sweep : { ...sweep, reusedFrom: "the base (same-runner A/B)" } } : {}),
  };
}
