// The one measurement every driver makes (a run's trials, an A/B window, a sweep point, a capacity
// probe): load through the chosen client, with CPU snapshots around the measured trials.

import type { LoadPlan } from "../config/plan.js";
import { runClosedLoop } from "../load/autocannon.js";
import { type CpuSnapshot, cpuSnapshot } from "../load/cpu.js";
import { runLoad } from "../load/driver.js";
import type { LoadHooks, LoadOutcome } from "../load/types.js";
import type { CpuAccount, Trial } from "../result/types.js";
import type { RunningStack } from "../stack/stack.js";
import { cpuAccount, loadGeneratorWarning } from "../stats/cpu-shares.js";

/** loadgate's own client (closed or open loop), or autocannon for comparison. */
export function drive(url: string, load: LoadPlan, hooks: LoadHooks): Promise<LoadOutcome> {
  return load.client === "autocannon" && load.rate === null
    ? runClosedLoop(url, load, hooks)
    : runLoad(url, load, hooks);
}

/** Measures with CPU snapshots at the start and end of the measured trials. */
export async function measure(
  url: string,
  load: LoadPlan,
  components: () => readonly { name: string; pid: number }[],
  hooks: LoadHooks,
  cores: number,
): Promise<{ outcome: LoadOutcome; cpu: CpuAccount | null }> {
  let start: CpuSnapshot | undefined;
  let end: CpuSnapshot | undefined;
  const outcome = await drive(url, load, {
    ...hooks,
    onMeasureStart: () => {
      start = cpuSnapshot(components());
      hooks.onMeasureStart?.();
    },
    onMeasureEnd: () => {
      end = cpuSnapshot(components());
    },
  });
  return { outcome, cpu: start && end ? cpuAccount(start, end, cores) : null };
}

/** The load hooks that watch a running stack: a component that dies or stops answering ends the load. */
export function watching(stack: RunningStack, signal: AbortSignal | undefined): LoadHooks {
  return { check: () => stack.assertAlive(), stalled: (n, t) => stack.stoppedAnswering(n, t), signal };
}

/** One short timed window on a running stack (a sweep point, a capacity probe): its single trial. */
export async function oneWindow(stack: RunningStack, load: LoadPlan, signal?: AbortSignal): Promise<Trial> {
  const window = { ...load, trials: 1, totalRequests: null };
  const { outcome } = await measure(stack.url, window, () => [], watching(stack, signal), 1);
  return outcome.trials[0];
}

/** The warnings a Result carries: a saturated load generator, failed requests. */
export function warningsFor(cpu: CpuAccount | null, trials: readonly Trial[], threads = 1): string[] {
  const warnings: string[] = [];
  const w = cpu ? loadGeneratorWarning(cpu, threads) : undefined;
  if (w) warnings.push(w);
  const sum = (f: (t: Trial) => number) => trials.reduce((a, t) => a + f(t), 0);
  const errors = sum((t) => t.errors.total);
  if (errors > 0) {
    warnings.push(
      `${errors} failed requests in the measured trials (connection errors ${sum((t) => t.errors.connection)}, timeouts ${sum((t) => t.errors.timeouts)}, non-2xx ${sum((t) => t.errors.non2xx)}).`,
    );
  }
  return warnings;
}
