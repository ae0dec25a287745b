// The worker sweep (workers: auto): one short trial per worker count on a fresh stack, from a
// seeded database copy, until src/sweep/sweep.ts says stop; the count with the best throughput wins.

import type { RunPlan } from "../config/plan.js";
import type { SweepRecord } from "../result/types.js";
import type { DatabaseTemplate } from "../stack/stack.js";
import { type SweepPoint, sweepStep } from "../sweep/sweep.js";
import { type PreparedStack, seedTemplate, startStack } from "./prepare.js";
import { type EngineHooks, measure } from "./run.js";

export async function sweepWorkers(
  run: RunPlan,
  p: PreparedStack,
  hooks: EngineHooks,
  o: { databaseTemplate?: string } = {},
): Promise<SweepRecord> {
  const limits = p.plan.sweep;
  if (!limits) throw new Error("sweepWorkers needs a plan with workers: auto");
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
      let trial: Awaited<ReturnType<typeof measure>>["outcome"]["trials"][number];
      try {
        const { outcome } = await measure(
          stack.url,
          load,
          () => [],
          { check: () => stack.assertAlive(), stalled: (n, t) => stack.stoppedAnswering(n, t), signal: hooks.signal },
          1,
        );
        trial = outcome.trials[0];
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
