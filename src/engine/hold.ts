// `loadgate up`: one stack up until Ctrl-C, for benchmarks against --target and for debugging.

import type { RunPlan } from "../config/plan.js";
import { applyPlacement } from "../load/placement.js";
import type { EngineHooks } from "./hooks.js";
import { prepareStack, startStack } from "./prepare.js";

/**
 * `loadgate up`: brings one stack up, announces its URL, and keeps it up until the signal aborts
 * (Ctrl-C) or a component dies; then brings it down. For benchmarks against --target and for debugging.
 */
export async function holdStack(
  plan: RunPlan,
  hooks: EngineHooks & { onReady: (url: string, databaseUrl: string | undefined) => void },
): Promise<void> {
  const s = plan.stacks[0];
  const prepared = await prepareStack(plan, s, hooks.log, hooks);
  const placement = applyPlacement(false);
  const stack = await startStack(plan, prepared, {
    log: (l) => hooks.log(`[${s.spec.name}] ${l}`),
    signal: hooks.signal,
    cpus: plan.pin ? placement.stack : undefined,
    onComponent: hooks.onComponent,
  });
  let failure: unknown;
  try {
    hooks.onReady(`${stack.url}${s.spec.load.requests[0]?.path ?? "/"}`, stack.database?.url);
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        try {
          stack.assertAlive();
        } catch (err) {
          failure = err;
          clearInterval(timer);
          resolve();
        }
      }, 500);
      hooks.signal?.addEventListener("abort", () => {
        clearInterval(timer);
        resolve();
      });
    });
  } finally {
    await stack.down(failure !== undefined);
  }
  if (failure) throw failure;
}
