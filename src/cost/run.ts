// The cost run: the stack up as usual, the app with one worker under valgrind (callgrind), a fixed
// request sequence sent one request at a time, the app's instructions counted per chunk of requests.

import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import http from "node:http";
import { arch } from "node:os";
import { baseEnvOf } from "../child-env.js";
import type { RunPlan, StackPlan } from "../config/plan.js";
import type { RequestSpec } from "../config/stack-spec.js";
import type { EngineHooks } from "../engine/hooks.js";
import { type PreparedStack, startStack } from "../engine/prepare.js";
import { messageOf, StackError } from "../errors.js";
import { sendOne } from "../load/one-request.js";
import type { CostFingerprint, CostRecord } from "../result/types.js";
import { appLogTail, type RunningStack } from "../stack/stack.js";
import { median } from "../stats/quantiles.js";
import { chunkSize, jitRuntime, requestAt, robustSpread, valgrindCommand, valgrindGuestCpu } from "./callgrind.js";
import { dumpAll, instrumentAll, listCounted } from "./vgdb.js";

/** The stack plan of a cost run: one worker, the cost command under valgrind, seeds fixed, a longer readiness wait. */
export function costPlanOf(plan: StackPlan, valgrind: string): StackPlan {
  const { spec } = plan;
  const command = valgrindCommand(spec.cost.command ?? spec.app.command, "{run_dir}", valgrind);
  return {
    ...plan,
    workers: 1,
    spec: {
      ...spec,
      app: {
        ...spec.app,
        command,
        // Fixed seeds unless the stack sets its own: Python's hash order, and a seed apps may read for their random choices.
        env: { PYTHONHASHSEED: "0", LOADGATE_SEED: "1", ...spec.app.env, ...spec.cost.env },
        ready: { ...spec.app.ready, timeoutSeconds: spec.cost.readyTimeoutSeconds },
      },
    },
  };
}

/** What must match for two cost runs to compare, read from this machine. */
export function costFingerprint(valgrindVersion: string, pythonVersion: string | undefined): CostFingerprint {
  let flags = "";
  try {
    flags = /^flags\s*:\s*(.*)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? "";
  } catch {
    // not Linux
  }
  const glibc = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header
    ?.glibcVersionRuntime;
  const versions: Record<string, string> = {};
  if (glibc) versions.glibc = glibc;
  if (pythonVersion) versions.python = pythonVersion;
  return { arch: arch(), guestCpu: valgrindGuestCpu(arch(), flags), valgrind: valgrindVersion, versions };
}

export function valgrindVersion(valgrind: string): string {
  const r = spawnSync(valgrind, ["--version"], { encoding: "utf8", env: baseEnvOf(process.env) });
  return r.stdout?.trim() || "unknown";
}

/**
 * Brings a cost variant of the stack up, counts, and always brings it down. Every response must be
 * 2xx: a count of error pages measures the error path, not the app.
 */
export async function costRun(
  run: RunPlan,
  p: PreparedStack,
  hooks: EngineHooks,
  o: { label?: string; databaseTemplate?: string } = {},
): Promise<CostRecord> {
  const started = Date.now();
  const { plan } = p;
  const name = o.label ?? plan.spec.name;
  const log = (line: string) => hooks.log(`[${name}] ${line}`);
  const valgrind = p.binaries.valgrind;
  const vgdb = p.binaries.vgdb;
  if (!valgrind || !vgdb) throw new StackError("cost run: valgrind and vgdb were not found (install valgrind).");
  const cost = plan.spec.cost;
  const costPlan = costPlanOf(plan, valgrind);
  log(
    `cost run: the app under valgrind (callgrind), 1 worker; ${cost.warmupRequests} warmup requests, then ${cost.chunks} chunks`,
  );
  const stack = await startStack(
    run,
    { ...p, plan: costPlan },
    {
      log,
      signal: hooks.signal,
      onComponent: hooks.onComponent,
      databaseTemplate: o.databaseTemplate,
    },
  );
  let record: CostRecord | undefined;
  let failure: unknown;
  try {
    record = await count(stack, costPlan, vgdb, valgrind, p, hooks, log);
  } catch (err) {
    failure = err;
  }
  if (failure !== undefined) {
    const tail = appLogTail(stack);
    await stack.down(true).catch((e) => log(messageOf(e)));
    if (failure instanceof StackError && tail && !failure.message.includes(tail.file)) {
      throw new StackError(`${failure.message}\nThe app's log (${tail.file}) ends with:\n${tail.text}`);
    }
    throw failure;
  }
  await stack.down();
  const r = record as CostRecord;
  r.seconds = (Date.now() - started) / 1000;
  log(
    `cost: ${(r.perRequest / 1000).toFixed(1)}k instructions per request (chunks spread ${(r.spread * 100).toFixed(2)}%), ${r.seconds.toFixed(0)} s`,
  );
  return r;
}

/** One counting session: the stack under valgrind, and the fixed request sequence sent one at a time. */
interface Counting {
  stack: RunningStack;
  vgdb: string;
  outDir: string;
  requests: readonly RequestSpec[];
  agent: http.Agent;
  timeoutMs: number;
  gapSeconds: number;
  signal: AbortSignal | undefined;
  /** Requests answered so far (the next one's place in the sequence). */
  sent: number;
}

/** Sends `n` requests one at a time; each must answer 2xx: a count of error pages measures the error path. */
async function sendMany(c: Counting, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    c.signal?.throwIfAborted();
    c.stack.assertAlive();
    const r = requestAt(c.requests, c.sent);
    let status: number;
    try {
      status = (await sendOne(c.agent, new URL(c.stack.url), r, c.timeoutMs)).status;
    } catch (err) {
      throw new StackError(`cost run: ${r.method} ${r.path} (request ${c.sent + 1}) failed: ${messageOf(err)}.`);
    }
    if (status < 200 || status > 299) {
      throw new StackError(
        `cost run: ${r.method} ${r.path} (request ${c.sent + 1}) answered ${status}; the cost run counts only a stack that answers every request with 2xx.`,
      );
    }
    c.sent++;
    // The app goes back to waiting before the next request arrives: the same code path for every request.
    if (c.gapSeconds > 0) await new Promise((res) => setTimeout(res, c.gapSeconds * 1000));
  }
}

/**
 * The app started uninstrumented (fast); counting goes on before the warmup, so the warmup warms the
 * instrumented code, and again after it for any process forked meanwhile. Returns the counted processes.
 */
async function instrumentAndWarm(c: Counting, warmupRequests: number) {
  const noneUnder = () =>
    new StackError(
      `cost run: no process of the app is running under valgrind (vgdb lists none under ${c.outDir}). Does cost.command (or app.command) start the server itself, not through a supervisor that daemonizes it?`,
    );
  const atReady = await listCounted(c.vgdb, c.outDir);
  if (atReady.length === 0) throw noneUnder();
  await instrumentAll(
    c.vgdb,
    c.outDir,
    atReady.map((q) => q.pid),
  );
  await sendMany(c, warmupRequests);
  const processes = await listCounted(c.vgdb, c.outDir);
  if (processes.length === 0) throw noneUnder();
  const pids = processes.map((q) => q.pid);
  await instrumentAll(
    c.vgdb,
    c.outDir,
    pids.filter((pid) => !atReady.some((q) => q.pid === pid)),
  );
  await dumpAll(c.vgdb, c.outDir, pids); // everything up to here: startup and warmup
  return { processes, pids };
}

/** The counted chunks: per chunk the instructions per request, in all and per process, and its wall time. */
async function countChunks(
  c: Counting,
  pids: number[],
  chunkCount: number,
  perChunk: number,
  log: (l: string) => void,
) {
  const perPid = new Map<number, number[]>(pids.map((pid) => [pid, []]));
  const chunks: number[] = [];
  const chunkSeconds: number[] = [];
  for (let i = 0; i < chunkCount; i++) {
    const t0 = Date.now();
    await sendMany(c, perChunk);
    const counts = await dumpAll(c.vgdb, c.outDir, pids);
    chunkSeconds.push((Date.now() - t0) / 1000);
    let total = 0;
    for (const [pid, n] of counts) {
      perPid.get(pid)?.push(n / perChunk);
      total += n;
    }
    chunks.push(total / perChunk);
    log(`cost chunk ${i + 1}/${chunkCount}: ${(total / perChunk / 1000).toFixed(1)}k instructions per request`);
  }
  return { perPid, chunks, chunkSeconds };
}

/** What makes the counts less trustworthy: processes added while counting, work done while idle, a JIT. */
function countWarnings(
  added: readonly { pid: number }[],
  idlePerSecond: number,
  chunkSeconds: readonly number[],
  perChunkTotal: number,
  processes: readonly { command: string }[],
): string[] {
  const warnings: string[] = [];
  if (added.length > 0) {
    warnings.push(
      `${added.length} process(es) started under valgrind during the counted chunks (pids ${added.map((q) => q.pid).join(", ")}) and were not counted: a worker restarted or forked per request?`,
    );
  }
  const meanChunkSeconds = chunkSeconds.reduce((a, b) => a + b, 0) / chunkSeconds.length;
  const idleShare = (idlePerSecond * meanChunkSeconds) / perChunkTotal;
  if (idleShare > 0.001) {
    warnings.push(
      `The app does work while idle (its timers): ${(idlePerSecond / 1000).toFixed(0)}k instructions per second, ${(idleShare * 100).toFixed(2)}% of a chunk's count, so the counts depend a little on how long a chunk takes.`,
    );
  }
  const jit = jitRuntime(processes.map((q) => q.command));
  if (jit) warnings.push(`${jit} compiles at run time: its counts wander more than an interpreter's; see the spread.`);
  return warnings;
}

/** The app's own timers: what it does while no request is in flight, in instructions per second. */
async function idleRate(c: Counting, pids: number[]): Promise<number> {
  const idleStart = Date.now();
  await new Promise((res) => setTimeout(res, 1000));
  const idle = await dumpAll(c.vgdb, c.outDir, pids);
  return [...idle.values()].reduce((a, b) => a + b, 0) / ((Date.now() - idleStart) / 1000);
}

async function count(
  stack: RunningStack,
  plan: StackPlan,
  vgdb: string,
  valgrind: string,
  p: PreparedStack,
  hooks: EngineHooks,
  log: (line: string) => void,
): Promise<CostRecord> {
  const cost = plan.spec.cost;
  const requests = plan.spec.load.requests;
  const perChunk = chunkSize(cost.chunkRequests, requests.length);
  const c: Counting = {
    stack,
    vgdb,
    outDir: stack.runDir,
    requests,
    agent: new http.Agent({ keepAlive: true, maxSockets: 1 }),
    timeoutMs: cost.requestTimeoutSeconds * 1000,
    gapSeconds: cost.gapSeconds,
    signal: hooks.signal,
    sent: 0,
  };
  const warnings: string[] = [];
  if (perChunk !== cost.chunkRequests) {
    warnings.push(
      `cost.chunk-requests ${cost.chunkRequests} rounded up to ${perChunk}, a whole number of turns through the stack's ${requests.length} requests.`,
    );
  }
  try {
    const { processes, pids } = await instrumentAndWarm(c, cost.warmupRequests);
    const { perPid, chunks, chunkSeconds } = await countChunks(c, pids, cost.chunks, perChunk, log);
    const added = (await listCounted(vgdb, c.outDir)).filter((q) => !pids.includes(q.pid));
    const idlePerSecond = await idleRate(c, pids);
    const perRequest = median(chunks);
    warnings.push(...countWarnings(added, idlePerSecond, chunkSeconds, perRequest * perChunk, processes));
    for (const w of warnings) log(`warning: ${w}`);
    const version = valgrindVersion(valgrind);
    return {
      tool: "callgrind",
      valgrind: version,
      command: processes[0].command,
      warmupRequests: cost.warmupRequests,
      chunkRequests: perChunk,
      gapSeconds: cost.gapSeconds,
      chunks,
      perRequest,
      spread: robustSpread(chunks),
      processes: processes.map((q) => ({ pid: q.pid, command: q.command, chunks: perPid.get(q.pid) ?? [] })),
      idlePerSecond,
      chunkSeconds,
      seconds: 0,
      fingerprint: costFingerprint(version, p.versions.python),
      warnings,
    };
  } finally {
    c.agent.destroy();
  }
}
