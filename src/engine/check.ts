// `loadgate init`'s check: the stack brought up once, one GET through the front (nginx, or the app
// when there is no proxy), then down. The same preparation and start as every run.

import type { RunPlan } from "../config/plan.js";
import { httpProbe } from "../stack/probes.js";
import type { EngineHooks } from "./hooks.js";
import { prepareStack, startStack } from "./prepare.js";

/** What the one GET found: "answered" when 2xx; the reason otherwise. */
export type CheckAnswer = { ok: true; url: string } | { ok: false; url: string; detail: string };

/**
 * Brings the plan's one stack up (installing first when the plan says so), GETs its readiness path
 * through the front, and brings it down. Throws what bringing it up throws (UserError: something is
 * missing; StackError: a component did not start or never became ready).
 */
export async function checkStack(plan: RunPlan, hooks: EngineHooks): Promise<CheckAnswer> {
  const s = plan.stacks[0];
  const prepared = await prepareStack(plan, s, hooks.log, hooks);
  const stack = await startStack(plan, prepared, {
    log: (l) => hooks.log(`[${s.spec.name}] ${l}`),
    signal: hooks.signal,
    onComponent: hooks.onComponent,
  });
  let failed = false;
  try {
    const url = `${stack.url}${s.spec.app.ready.http}`;
    const answer = await httpProbe(url, 10_000);
    failed = !answer.ok;
    return answer.ok ? { ok: true, url } : { ok: false, url, detail: answer.detail };
  } catch (err) {
    failed = true;
    throw err;
  } finally {
    await stack.down(failed);
  }
}
