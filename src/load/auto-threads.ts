// load.threads: auto: the fewest threads of which none is saturated, within the CPUs the load
// generator may use. Each count is tried for one second (a probe that also warms the service)
// before the first measurement of a load; later measurements of the same load in this process (an
// A/B's windows, a sweep's points) reuse the count.

import { availableParallelism, cpus } from "node:os";
import type { LoadPlan } from "../config/plan.js";
import { LOADGEN_SATURATION_CORES } from "../stats/cpu-shares.js";
import { saturated } from "./share.js";
import type { LoadHooks, LoadOutcome } from "./types.js";

/**
 * The most threads auto tries: with --pin, the CPUs the load generator is pinned to (availableParallelism
 * reads this process's affinity); without, every CPU but one, left to the stack. 1 on a 2-CPU machine.
 */
export function maxAutoThreads(usable = availableParallelism(), all = cpus().length): number {
  return usable < all ? usable : Math.max(1, all - 1);
}

const PROBE_SECONDS = 1;

type Runner = (url: string, load: LoadPlan, hooks: LoadHooks) => Promise<LoadOutcome>;

/** The count found for a load, by the load's shape: an A/B's windows, a sweep's points reuse it. */
const found = new Map<string, number>();

export async function autoThreads(url: string, load: LoadPlan, hooks: LoadHooks, run: Runner): Promise<LoadOutcome> {
  const { warmupSeconds: _w, durationSeconds: _d, trials: _t, ...shape } = load;
  const key = JSON.stringify(shape);
  const threads = found.get(key) ?? (await probe(url, load, hooks, run));
  found.set(key, threads);
  return run(url, { ...load, threads }, hooks);
}

/** Tries 1, 2, … threads for a second each; the first count whose threads are not saturated. */
async function probe(url: string, load: LoadPlan, hooks: LoadHooks, run: Runner): Promise<number> {
  const max = Math.min(maxAutoThreads(), load.connections);
  let threads = 1;
  while (threads < max) {
    const probe = { ...load, threads, warmupSeconds: 0, durationSeconds: PROBE_SECONDS, trials: 1 };
    const before = process.cpuUsage();
    const startedAt = performance.now();
    await run(url, probe, { check: hooks.check, stalled: hooks.stalled, signal: hooks.signal });
    const used = process.cpuUsage(before);
    const cores = (used.user + used.system) / 1000 / (performance.now() - startedAt);
    if (!saturated(cores, threads, LOADGEN_SATURATION_CORES)) break;
    threads++;
  }
  return threads;
}
