// The worker sweep (workers: auto): one short trial per worker count on a fresh stack, from a
// seeded database copy, until src/sweep/rules.ts says stop; the count with the best throughput wins.

import type { RunPlan } from "../config/plan.js";
import type { EngineHooks } from "../engine/hooks.js";
import { oneWindow } from "../engine/measure.js";
import { type PreparedStack, seedTemplate, startStack } from "../engine/prepare.js";
import type { SweepRecord, Trial } from "../result/types.js";
import type { DatabaseTemplate } from "../stack/stack.js";
import { SWEEP_NOISE, SWEEP_P99_NOISE, type SweepLimits, type SweepPoint, sweepStep } from "./rules.js";

export async function sweepWorkers(
  run: RunPlan,
  p: PreparedStack,
  hooks: EngineHooks,
  o: { databaseTemplate?: string } = {},
): Promise<SweepRecord> {
  if (!p.plan.sweep) throw new Error("sweepWorkers needs a plan with workers: auto");
  const limits: SweepLimits = { ...p.plan.sweep, noise: SWEEP_NOISE, p99Noise: SWEEP_P99_NOISE };
  const name = p.plan.spec.name;
  const log = (line: string) => hooks.log(`[${name}] ${line}`);
  const started = Date.now();
  const points: SweepPoint[] = [];
  let template: DatabaseTemplate | undefined;
  try {
    if (!o.databaseTemplate && p.plan.spec.database) {
      template = await seedTemplate(run, p, { log, signal: hooks.signal, onComponent: hooks.onComponent });
    }
    const load = {
      ...p.plan.load,
      warmupSeconds: Math.min(2, p.plan.load.warmupSeconds),
      durationSeconds: Math.min(3, p.plan.load.durationSeconds),
      trials: 1,
    };
    log(
      `workers: auto: one ${load.durationSeconds}-s trial per count, up to ${limits.maxWorkers} workers or ${limits.budgetSeconds} s`,
    );
    for (;;) {
      const step = sweepStep(points, limits, (Date.now() - started) / 1000);
      if ("chosen" in step) {
        log(`workers: auto chose ${step.chosen} (${step.reason})`);
        return { points, chosen: step.chosen, reason: step.reason, seconds: (Date.now() - started) / 1000 };
      }
      hooks.signal?.throwIfAborted();
      const t0 = Date.now();
      const stack = await startStack(
        run,
        { ...p, plan: { ...p.plan, workers: step.next } },
        {
          log: () => undefined,
          signal: hooks.signal,
          onComponent: hooks.onComponent,
          databaseTemplate: o.databaseTemplate ?? template?.dir,
        },
      );
      let trial: Trial;
      try {
        trial = await oneWindow(stack, load, hooks.signal);
      } catch (err) {
        await stack.down(true).catch(() => undefined);
        throw err;
      }
      await stack.down();
      const point = {
        workers: step.next,
        throughput: trial.throughput,
        p99: trial.latency.p99,
        seconds: (Date.now() - t0) / 1000,
      };
      points.push(point);
      log(
        `workers ${point.workers}: ${point.throughput.toFixed(0)} req/s, P99 ${Number.isFinite(point.p99) ? point.p99.toFixed(1) : "–"} ms`,
      );
    }
  } finally {
    template?.dispose();
  }
}
