// The capacity search's driver: one stack up, a closed-loop trial for its throughput, then open-loop probes
// chosen by src/capacity/search.ts until the highest rate within the P99 SLO is bracketed.

import type { RunPlan } from "../config/plan.js";
import type { EngineHooks } from "../engine/hooks.js";
import { oneWindow } from "../engine/measure.js";
import { type PreparedStack, startStack } from "../engine/prepare.js";
import type { CapacityRecord } from "../result/types.js";
import { CAPACITY_DEFAULTS, type CapacityLimits, capacityStep, type Probe, probePasses } from "./search.js";

export async function measureCapacity(
  run: RunPlan,
  p: PreparedStack,
  hooks: EngineHooks,
  limits: CapacityLimits,
  o: { label?: string; databaseTemplate?: string } = {},
): Promise<CapacityRecord> {
  const started = Date.now();
  const name = o.label ?? p.plan.spec.name;
  const log = (line: string) => hooks.log(`[${name}] ${line}`);
  const stack = await startStack(run, p, {
    log,
    signal: hooks.signal,
    onComponent: hooks.onComponent,
    databaseTemplate: o.databaseTemplate,
  });
  const window = (rate: number | null) => ({
    ...p.plan.load,
    rate,
    // Each probe: a short warmup at the probe's rate, then one measured window (capacity.probe-*).
    warmupSeconds: p.plan.spec.capacity.probeWarmupSeconds,
    durationSeconds: p.plan.spec.capacity.probeSeconds,
    trials: 1,
  });
  const trial = (rate: number | null) => oneWindow(stack, window(rate), hooks.signal);
  try {
    const closed = (await trial(null)).throughput;
    log(
      `capacity at P99 ≤ ${limits.sloP99Ms} ms: closed-loop throughput ${closed.toFixed(0)} req/s; probing open-loop rates`,
    );
    const probes: Probe[] = [];
    for (;;) {
      const step = capacityStep(closed, probes, limits);
      if ("capacity" in step) {
        log(`capacity: ${step.capacity.toFixed(0)} req/s (${step.reason})`);
        await stack.down();
        return {
          sloP99Ms: limits.sloP99Ms,
          rate: step.capacity,
          closedLoopThroughput: closed,
          probes,
          reason: step.reason,
          seconds: (Date.now() - started) / 1000,
        };
      }
      hooks.signal?.throwIfAborted();
      const t = await trial(step.next);
      const probe = {
        rate: step.next,
        achieved: t.throughput,
        p99: t.latency.p99,
        errors: t.errors.total,
        pass: probePasses(step.next, t.throughput, t.latency.p99, t.errors.total, limits.sloP99Ms),
      };
      probes.push(probe);
      log(
        `probe ${step.next} req/s: served ${probe.achieved.toFixed(0)}, P99 ${Number.isFinite(probe.p99) ? probe.p99.toFixed(1) : "–"} ms, errors ${probe.errors}: ${probe.pass ? "pass" : "fail"}`,
      );
    }
  } catch (err) {
    await stack.down(true).catch(() => undefined);
    throw err;
  }
}

/** The search's limits for a stack whose gate has capacity (its stack file gives the SLO). */
export function capacityLimitsOf(spec: { capacity: { sloP99Ms: number | null; maxProbes: number } }): CapacityLimits {
  return {
    sloP99Ms: spec.capacity.sloP99Ms ?? Number.NaN,
    ceilingFactor: CAPACITY_DEFAULTS.ceilingFactor,
    resolution: CAPACITY_DEFAULTS.resolution,
    maxProbes: spec.capacity.maxProbes,
  };
}
