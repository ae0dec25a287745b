// One stack measured: brought up, warmed, its trials timed, diagnosed, brought down, and its Result entry.

import type { RunPlan, StackPlan } from "../config/plan.js";
import { messageOf, StackError } from "../errors.js";
import { buildEnvironment, machineFacts } from "../result/environment.js";
import type { Placement, StackResult, Trial, WorkRecord } from "../result/types.js";
import { poolState } from "../stack/pgbouncer.js";
import { appLogTail, explainFullDisk, type RunningStack } from "../stack/stack.js";
import { workCount } from "../work/count.js";
import { workLine } from "../work/summary.js";
import { errorRateMessage, errorsByKind } from "./error-rate.js";
import type { EngineHooks } from "./hooks.js";
import { measure, warningsFor } from "./measure.js";
import { type PreparedStack, stackInfo, stackResult, startStack } from "./prepare.js";
import { servesNothingMessage } from "./serves-nothing.js";

export async function measureStack(
  plan: RunPlan,
  p: PreparedStack,
  placement: Placement,
  hooks: EngineHooks,
  /** A seeded data directory to start from (the run starts this stack more than once). */
  databaseTemplate?: string,
): Promise<StackResult> {
  const s: StackPlan = p.plan;
  const name = s.spec.name;
  const log = (line: string) => hooks.log(`[${name}] ${line}`);
  hooks.onPhase?.(name, "up");
  log("bringing the stack up");
  const stack = await startStack(plan, p, {
    log,
    signal: hooks.signal,
    cpus: placement.pinned ? placement.stack : undefined,
    onComponent: hooks.onComponent,
    databaseTemplate,
  });
  const facts = machineFacts();
  const measured = await timeTrials(stack, s, facts, hooks);
  const { trials } = measured.outcome;
  const work = await countWork(stack, p, trials, hooks);
  await diagnoseAndStop(stack, p, trials, hooks);
  const result = stackResult({
    stack: stackInfo(s),
    workers: s.workers,
    environment: buildEnvironment({ ...facts, versions: p.versions, stackFileHash: s.spec.fileHash }),
    target: "nginx" in stack.ports ? "nginx" : "app",
    load: { ...s.load, threads: measured.outcome.threads },
    trials,
    histograms: measured.outcome.histograms,
    cpu: measured.cpu,
    placement,
    warnings: [...warningsFor(measured.cpu, trials, measured.outcome.threads), ...work.warnings],
  });
  if (work.record) result.work = work.record;
  return result;
}

/**
 * The work count on the warm stack after its trials, when it is on and the trials were served (within
 * the gate's error rate). A count that fails (an answer not 2xx) leaves the timings standing: a warning.
 */
async function countWork(
  stack: RunningStack,
  p: PreparedStack,
  trials: Trial[],
  hooks: EngineHooks,
): Promise<{ record?: WorkRecord; warnings: string[] }> {
  const s = p.plan;
  const errors = errorsByKind(trials);
  if (!s.work || errors.attempts === 0 || errors.failed > s.gate.errorRate * errors.attempts) return { warnings: [] };
  const log = (line: string) => hooks.log(`[${s.spec.name}] ${line}`);
  hooks.onPhase?.(s.spec.name, "work");
  log(`work count: ${s.work.chunks} chunks of ${s.work.chunkRequests} requests, one at a time`);
  try {
    const record = await workCount(stack, s, s.work, {
      postgresBin: p.binaries.postgresBin,
      log,
      signal: hooks.signal,
    });
    log(`work count: ${workLine(record)} (${record.seconds.toFixed(1)} s)`);
    return { record, warnings: record.warnings };
  } catch (err) {
    hooks.signal?.throwIfAborted();
    const message = `The work count failed, so the database work per request is not known: ${messageOf(err)}`;
    log(`warning: ${message}`);
    return { warnings: [message] };
  }
}

/** The warmup and the trials; on any failure the stack goes down (logs kept) before the error is thrown. */
async function timeTrials(
  stack: RunningStack,
  s: StackPlan,
  facts: ReturnType<typeof machineFacts>,
  hooks: EngineHooks,
) {
  const name = s.spec.name;
  const log = (line: string) => hooks.log(`[${name}] ${line}`);
  try {
    const mode = `${s.load.rate === null ? `${s.load.connections} connections` : `${s.load.rate} req/s open loop`}${s.load.keepalive ? "" : ", a new connection per request"}`;
    log(
      `load: ${mode} → ${stack.url}; warmup ${s.load.warmupSeconds} s, ${s.load.totalRequests === null ? `${s.load.trials} × ${s.load.durationSeconds} s` : `${s.load.totalRequests} requests in ${s.load.trials} trial(s)`}`,
    );
    hooks.onPhase?.(name, "warmup");
    return await measure(
      stack.url,
      s.load,
      () => stack.components.map((c) => ({ name: c.name, pid: c.pid })),
      {
        check: () => stack.assertAlive(),
        stalled: (n, t) => stack.stoppedAnswering(n, t),
        onProgress: (pr) => hooks.onProgress?.(name, pr),
        signal: hooks.signal,
        onMeasureStart: () => hooks.onPhase?.(name, "trials"),
      },
      facts.logicalCores,
    );
  } catch (err) {
    hooks.onPhase?.(name, "down");
    // A component that died mid-load because the disk filled (PostgreSQL's PANIC on a WAL write) says so.
    const explained = explainFullDisk(err, stack.runDir);
    await stack.down(true).catch((downErr) => log(String(downErr instanceof Error ? downErr.message : downErr)));
    throw explained;
  }
}

/**
 * Says why the trials failed, while the stack still runs (the app's log, PgBouncer's waiting
 * clients), then brings it down: logs kept when requests failed beyond the gate's error rate, a
 * StackError (exit 3) when it served nothing. The gate itself (exit 1) is decided where every gate is.
 */
async function diagnoseAndStop(stack: RunningStack, p: PreparedStack, trials: Trial[], hooks: EngineHooks) {
  const s = p.plan;
  const log = (line: string) => hooks.log(`[${s.spec.name}] ${line}`);
  const servesNothing = servesNothingMessage(
    trials,
    `stack ${s.spec.name}`,
    appLogTail(stack),
    s.load.requests.map((r) => `${r.method} ${r.path}`),
  );
  const errors = errorsByKind(trials);
  const overErrors = servesNothing === undefined && errors.failed > s.gate.errorRate * errors.attempts;
  if (overErrors) {
    const pool =
      errors.timeouts > 0 && s.spec.pooler && stack.ports.pgbouncer && stack.database
        ? await poolState(
            p.binaries.postgresBin!,
            stack.ports.pgbouncer,
            s.spec.pooler.defaultPoolSize,
            stack.database.credentials,
          )
        : undefined;
    const message = errorRateMessage(`stack ${s.spec.name}`, trials, s.gate.errorRate, {
      requestTimeoutSeconds: s.load.timeoutSeconds,
      pool,
      appLog: appLogTail(stack),
    });
    if (message) hooks.log(message);
  }
  hooks.onPhase?.(s.spec.name, "down");
  log("bringing the stack down");
  if (overErrors) {
    await stack.down(true);
    log(`logs kept in ${stack.runDir}`);
  } else if (servesNothing !== undefined) {
    // Keep the logs for the user; a failure to stop cleanly (an orphan) is reported too, never dropped.
    const downFailure = await stack.down(true).then(
      () => "",
      (err) => `\n${messageOf(err)}`,
    );
    throw new StackError(`${servesNothing}${downFailure}`);
  } else await stack.down();
}
