import type { LoadPlan, RunPlan, StackPlan, TargetPlan } from "../config/plan.js";
import { messageOf, StackError, UserError } from "../errors.js";
import { runClosedLoop } from "../load/autocannon.js";
import { type CpuSnapshot, cpuSnapshot } from "../load/cpu.js";
import { runLoad } from "../load/driver.js";
import { checkSocketRoom } from "../load/fd-limit.js";
import { applyPlacement } from "../load/placement.js";
import type { LoadHooks, LoadOutcome, Progress } from "../load/types.js";
import { buildEnvironment, machineFacts } from "../result/environment.js";
import type { CpuAccount, Placement, StackResult, SweepRecord, Trial } from "../result/types.js";
import { requireBinaries } from "../stack/binaries.js";
import { poolState } from "../stack/pgbouncer.js";
import { tcpOpen } from "../stack/probes.js";
import { appLogTail, explainFullDisk, type StackContext } from "../stack/stack.js";
import { cpuAccount, loadGeneratorWarning } from "../stats/cpu-shares.js";
import { capacityLimitsOf, measureCapacity } from "./capacity.js";
import { costRun } from "./cost.js";
import { errorRateMessage, errorsByKind } from "./error-rate.js";
import {
  needsOf,
  type PreparedStack,
  prepareStack,
  stackInfo,
  stackResult,
  startStack,
  untimedResult,
} from "./prepare.js";
import { servesNothingMessage } from "./serves-nothing.js";
import { sweepWorkers } from "./sweep.js";

export { appLogTail, needsOf };

export type PhaseName = "install" | "up" | "warmup" | "trials" | "down" | "cost" | "sweep" | "capacity";

export interface EngineHooks {
  log: (line: string) => void;
  /** Called as each stack enters a phase, so the Action can fold each into its own log group. */
  onPhase?: (stack: string, phase: PhaseName) => void;
  onProgress?: (stack: string, p: Progress) => void;
  onComponent?: StackContext["onComponent"];
  signal?: AbortSignal;
}

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

function warningsFor(cpu: CpuAccount | null, trials: readonly Trial[]): string[] {
  const warnings: string[] = [];
  const w = cpu ? loadGeneratorWarning(cpu) : undefined;
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

/** Brings each stack up in turn, measures it, and always brings it down. */
export async function runStacks(plan: RunPlan, hooks: EngineHooks): Promise<StackResult[]> {
  // Connections that do not fit `ulimit -n` are refused before anything starts (and again at the load).
  if (!plan.costOnly) for (const s of plan.stacks) checkSocketRoom(s.load.connections);
  // Everything missing, for all stacks, in one error (or one apt-get with --install).
  requireBinaries(needsOf(plan.stacks), plan.binarySearch, plan.install, hooks.log);
  // Prepare every stack (binaries, Python environments) before the first starts, so a missing one fails fast.
  const prepared: PreparedStack[] = [];
  for (const s of plan.stacks) {
    hooks.onPhase?.(s.spec.name, "install");
    prepared.push(await prepareStack(plan, s, hooks.log, hooks));
  }
  const placement = applyPlacement(plan.costOnly ? false : plan.pin);
  const results: StackResult[] = [];
  for (const p of prepared) {
    hooks.signal?.throwIfAborted();
    if (plan.costOnly) {
      results.push(await costOnlyResult(plan, p, placement, hooks));
      continue;
    }
    // workers: auto: the sweep chooses the count, then the stack is measured with it.
    let chosen = p;
    let sweep: SweepRecord | undefined;
    if (p.plan.sweep) {
      hooks.onPhase?.(p.plan.spec.name, "sweep");
      sweep = await sweepWorkers(plan, p, hooks);
      chosen = { ...p, plan: { ...p.plan, workers: sweep.chosen, sweep: null } };
    }
    const r = await runOneStack(plan, chosen, placement, hooks);
    if (sweep) r.sweep = sweep;
    if (p.plan.gate.cost !== null) {
      hooks.onPhase?.(p.plan.spec.name, "cost");
      r.cost = await costRun(plan, chosen, hooks);
    }
    if (p.plan.gate.capacity) {
      hooks.onPhase?.(p.plan.spec.name, "capacity");
      r.capacity = await measureCapacity(plan, chosen, hooks, capacityLimitsOf(p.plan.spec));
    }
    results.push(r);
  }
  return results;
}

/** `loadgate cost`: a Result entry with the cost run and no timed trials. */
async function costOnlyResult(
  plan: RunPlan,
  p: PreparedStack,
  placement: Placement,
  hooks: EngineHooks,
): Promise<StackResult> {
  hooks.onPhase?.(p.plan.spec.name, "cost");
  const cost = await costRun(plan, p, hooks);
  return { ...untimedResult(p, placement), cost };
}

async function runOneStack(
  plan: RunPlan,
  p: PreparedStack,
  placement: Placement,
  hooks: EngineHooks,
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
  });
  const facts = machineFacts();
  let measured: Awaited<ReturnType<typeof measure>>;
  try {
    const mode = s.load.rate === null ? `${s.load.connections} connections` : `${s.load.rate} req/s open loop`;
    log(
      `load: ${mode} → ${stack.url}; warmup ${s.load.warmupSeconds} s, ${s.load.trials} × ${s.load.durationSeconds} s`,
    );
    hooks.onPhase?.(name, "warmup");
    measured = await measure(
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
  const { trials } = measured.outcome;
  // Read before the stack goes down: a clean stop removes the run folder with the logs.
  const servesNothing = servesNothingMessage(
    trials,
    `stack ${name}`,
    appLogTail(stack),
    s.load.requests.map((r) => `${r.method} ${r.path}`),
  );
  const errors = errorsByKind(trials);
  const overErrors = servesNothing === undefined && errors.failed > s.gate.errorRate * errors.attempts;
  if (overErrors) {
    // Said now, with what only the running stack can tell: the app's log and PgBouncer's waiting clients.
    const pool =
      errors.timeouts > 0 && s.spec.pooler && stack.ports.pgbouncer
        ? await poolState(p.binaries.postgresBin!, stack.ports.pgbouncer, s.spec.pooler.defaultPoolSize)
        : undefined;
    const message = errorRateMessage(`stack ${name}`, trials, s.gate.errorRate, {
      requestTimeoutSeconds: s.load.timeoutSeconds,
      pool,
      appLog: appLogTail(stack),
    });
    if (message) hooks.log(message);
  }
  hooks.onPhase?.(name, "down");
  log("bringing the stack down");
  if (overErrors) {
    // The logs stay for the user to read; the gate (exit 1) is decided where every gate is.
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
  return stackResult({
    stack: stackInfo(s),
    workers: s.workers,
    environment: buildEnvironment({ ...facts, versions: p.versions, stackFileHash: s.spec.fileHash }),
    target: "nginx" in stack.ports ? "nginx" : "app",
    load: s.load,
    trials,
    histograms: measured.outcome.histograms,
    cpu: measured.cpu,
    placement,
    warnings: warningsFor(measured.cpu, trials),
  });
}

/** `--target`: measures a service that is already running; no stack is started or stopped. */
export async function runTarget(plan: RunPlan, target: TargetPlan, hooks: EngineHooks): Promise<StackResult> {
  const url = new URL(target.url);
  const port = Number(url.port || 80);
  if (!(await tcpOpen(port, 2000, url.hostname.replace(/^\[|\]$/g, "")))) {
    throw new UserError(`--target ${target.url}: nothing accepts connections on ${url.host}. Start the service first.`);
  }
  checkSocketRoom(target.load.connections);
  const placement = applyPlacement(plan.pin);
  const facts = machineFacts();
  const name = `${url.host}${url.pathname}`;
  const measured = await measure(
    `${url.protocol}//${url.host}`,
    target.load,
    () => [],
    { onProgress: (p) => hooks.onProgress?.(name, p), signal: hooks.signal },
    facts.logicalCores,
  );
  const { trials } = measured.outcome;
  return stackResult({
    stack: { name, file: target.url, webserver: "external", framework: "" },
    workers: null,
    environment: buildEnvironment({
      ...facts,
      versions: { node: process.version, loadgate: plan.toolVersion },
      stackFileHash: "",
    }),
    target: target.url,
    load: target.load,
    trials,
    histograms: measured.outcome.histograms,
    cpu: measured.cpu,
    placement,
    warnings: warningsFor(measured.cpu, trials),
  });
}

/**
 * `loadgate up`: brings one stack up, announces its URL, and keeps it up until the signal aborts
 * (Ctrl-C) or a component dies; then brings it down. For benchmarks against --target and for debugging.
 */
export async function holdStack(plan: RunPlan, hooks: EngineHooks & { onReady: (url: string) => void }): Promise<void> {
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
    hooks.onReady(`${stack.url}${s.spec.load.requests[0]?.path ?? "/"}`);
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
