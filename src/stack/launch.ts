import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import type { StackPlan } from "../config/plan.js";
import { messageOf, StackError } from "../errors.js";
import type { DbCredentials } from "./db-auth.js";
import { commandLineOf, freePort, listeningInodes, pidsHoldingSockets, pidsWithEnv } from "./ports.js";
import { Component, type ComponentOptions, groupMembers, killAllGroupsNow, treeMembers } from "./process-group.js";
import { explainFullDisk, makeDir, removeTree } from "./run-folder.js";
import type { RunUser } from "./run-user.js";

/** Every component carries this variable, so children that escape their process group can still be found. */
export const RUN_MARKER = "LOADGATE_RUN_ID";

/** What starting components needs from the stack's context (a subset of StackContext). */
export interface LaunchContext {
  /** Unprivileged user for PostgreSQL, PgBouncer and nginx when we are root. */
  user: RunUser | undefined;
  tmpDir: string;
  log: (line: string) => void;
  signal?: AbortSignal;
  /** CPUs for every component (taskset list) when the run is pinned. */
  cpus?: string;
  /** Called with each component as it starts, so a crash handler elsewhere can record it. */
  onComponent?: (c: { name: string; pid: number; ports: number[]; runId: string }) => void;
  /**
   * Test-only fault injection (LOADGATE_TEST_TAKE_PORT, read in startStack): "<component>" has another
   * process take that component's port between the check and the bind once, "<component>:always" on
   * every attempt. See startOnFreePort.
   */
  takePortForTest?: string;
}

export interface Orphan {
  pid: number;
  command: string;
  port?: number;
}

export type LaunchOptions = Omit<ComponentOptions, "logFile" | "cpus"> & { ports: number[] };

/**
 * One run's folder and the components started in it, under one run marker. Each kind of component
 * (PostgreSQL, PgBouncer, app, nginx) starts its processes through this, so stopping and the
 * search for leftovers stay in one place.
 */
export interface Launch {
  readonly ctx: LaunchContext;
  readonly runId: string;
  readonly runDir: string;
  /** The marker every component's environment carries. */
  readonly markerEnv: Record<string, string>;
  /** Ports by component name, filled as components are given theirs. */
  readonly ports: Record<string, number>;
  readonly components: Component[];
  /**
   * A new folder under the run folder (`name` may be "a/b" when loadgate made "a"): root's (0755), or
   * with `given` the unprivileged user's, with `mode`, for what a component must write itself.
   * Fails when anything is already there.
   */
  dir(name: string, given?: { mode: number }): string;
  /** Starts a component in its own process group, logging to <runDir>/<name>.log. */
  start(options: LaunchOptions): Promise<Component>;
}

/**
 * The unprivileged user must be able to reach the run folder. RUNNER_TEMP or TMPDIR may sit under a
 * folder only root can enter (mode 0700); then the run goes under /tmp instead.
 */
function reachableRoot(tmpDir: string, user: RunUser | undefined, log: (line: string) => void): string {
  if (!user) return tmpDir;
  let dir = resolve(tmpDir);
  for (;;) {
    if ((statSync(dir).mode & 0o001) === 0) {
      log(
        `${tmpDir} is not reachable by the user ${user.name} (${dir} has no o+x); using ${tmpdir()} for the run folder`,
      );
      return tmpdir();
    }
    const parent = dirname(dir);
    if (parent === dir) return tmpDir;
    dir = parent;
  }
}

/** Run markers and folders of the launches not yet torn down, for forceStopAllNow. */
const liveLaunches = new Map<string, string>();

/**
 * When the process must exit at once (a third Ctrl-C or SIGTERM, an uncaught error): SIGKILL every
 * component group, every process carrying a live run's marker (children that escaped their group),
 * and remove the live runs' folders, synchronously. Returns how many processes it killed.
 */
export function forceStopAllNow(): number {
  let n = killAllGroupsNow();
  const marked = () => [...liveLaunches.keys()].flatMap((runId) => pidsWithEnv(RUN_MARKER, runId));
  for (const pid of marked()) {
    try {
      process.kill(pid, "SIGKILL");
      n++;
    } catch {
      // already gone
    }
  }
  // SIGKILL lands asynchronously (a process in the kernel finishes its call first): wait, briefly
  // and synchronously, until none is left (a zombie's environment is unreadable, so it does not count).
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (const deadline = Date.now() + 3000; Date.now() < deadline && marked().length > 0; )
    Atomics.wait(pause, 0, 0, 25);
  for (const runDir of liveLaunches.values()) removeTree(runDir);
  liveLaunches.clear();
  return n;
}

/** A fresh run folder `loadgate-<label>-XXXXXX` under the run's tmpDir, and a new run marker. */
export function newLaunch(label: string, ctx: LaunchContext): Launch {
  const runId = randomBytes(6).toString("hex");
  const root = reachableRoot(ctx.tmpDir, ctx.user, ctx.log);
  let runDir: string;
  try {
    runDir = mkdtempSync(join(root, `loadgate-${label}-`));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOSPC") throw explainFullDisk(err, root);
    throw new StackError(
      `cannot create the run folder in ${root} (${code ?? messageOf(err)}): the logs, configuration and PostgreSQL's data of the run go there. Point RUNNER_TEMP (or TMPDIR) at a writable folder with room.`,
    );
  }
  liveLaunches.set(runId, runDir);
  // The run folder stays ours (root's when we are root); the unprivileged user may only enter it.
  if (ctx.user) chmodSync(runDir, 0o755);
  const components: Component[] = [];
  const ports: Record<string, number> = {};
  return {
    ctx,
    runId,
    runDir,
    markerEnv: { [RUN_MARKER]: runId },
    ports,
    components,
    dir: (name, given) => makeDir(join(runDir, name), given?.mode ?? 0o755, given ? ctx.user : undefined),
    async start(options) {
      const c = await Component.start({ ...options, cpus: ctx.cpus, logFile: join(runDir, `${options.name}.log`) });
      components.push(c);
      ctx.log(`${c.name} started: pid ${c.pid}${options.ports.length ? `, port ${options.ports.join(", ")}` : ""}`);
      ctx.onComponent?.({ name: c.name, pid: c.pid, ports: options.ports, runId });
      return c;
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Stops every component (last started first), kills whatever outlived its group, and throws
 * StackError naming orphans or ports still bound. `remove`: "all" deletes the run folder when
 * everything stopped cleanly, "data" only the PostgreSQL data directory (logs stay), "none" nothing.
 */
export async function tearDown(launch: Launch, remove: "all" | "data" | "none"): Promise<void> {
  try {
    await stopAndCheck(launch, remove);
  } finally {
    // Until here a forced stop (a third signal) still removes the run's folder.
    liveLaunches.delete(launch.runId);
  }
}

async function stopAndCheck(launch: Launch, remove: "all" | "data" | "none"): Promise<void> {
  const { runDir, components, ports, runId } = launch;
  // Reverse order: nginx stops taking requests before the app goes, the app before the database.
  for (const c of [...components].reverse()) await c.stop(5000);

  const orphans = new Map<number, Orphan>();
  for (const pid of pidsWithEnv(RUN_MARKER, runId)) orphans.set(pid, { pid, command: commandLineOf(pid) });
  for (const [name, port] of Object.entries(ports)) {
    for (const pid of pidsHoldingSockets(listeningInodes(port))) {
      orphans.set(pid, { pid, command: `${commandLineOf(pid)} [${name} port]`, port });
    }
  }
  for (const c of components)
    for (const pid of groupMembers(c.pid)) orphans.set(pid, { pid, command: commandLineOf(pid) });

  if (orphans.size > 0) {
    for (const o of orphans.values()) {
      try {
        process.kill(o.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    const deadline = Date.now() + 3000;
    while (Date.now() < deadline && Object.values(ports).some((p) => listeningInodes(p).size > 0)) await sleep(50);
  }
  // PostgreSQL's data is the unprivileged user's: that user removes it.
  if (remove !== "none") removeTree(join(runDir, "pg", "data"), launch.ctx.user);
  if (orphans.size > 0) {
    const list = [...orphans.values()]
      .map((o) => `  pid ${o.pid}${o.port ? ` (held port ${o.port})` : ""}: ${o.command}`)
      .join("\n");
    throw new StackError(
      `Processes outlived their component's process group (a child that escaped its group, or a parent that died and left children holding the port). loadgate killed them:\n${list}\nLogs: ${runDir}`,
    );
  }
  const stillBound = Object.entries(ports).filter(([, p]) => listeningInodes(p).size > 0);
  if (stillBound.length > 0) {
    throw new StackError(
      `Ports still bound after stop: ${stillBound.map(([n, p]) => `${n} ${p}`).join(", ")}. Logs: ${runDir}`,
    );
  }
  if (remove === "all") removeTree(runDir);
}

/** What one component hands to those started after it. */
export interface Wiring {
  /** The URL the app is given as {database_url}: PostgreSQL's, or PgBouncer's in front of it (with the app role's password). */
  databaseUrl: string;
  /** PostgreSQL's own URL for the app role (what database.setup got). */
  postgresUrl?: string;
  /** The run's passwords, set by PostgreSQL's part. */
  credentials?: DbCredentials;
  /** The data the app starts on: every table's name and row count, hashed (PostgreSQL's part). */
  dataFingerprint?: string;
}

/**
 * One kind of component. `start` returns once the component is ready (or throws naming it);
 * stopping is the same for every kind (Component.stop with its stop signal, from tearDown).
 */
export interface StackPart<Ctx> {
  readonly name: string;
  /** Whether the stack file asks for this component. */
  wanted(plan: StackPlan): boolean;
  start(plan: StackPlan, ctx: Ctx, launch: Launch, wiring: Wiring): Promise<void>;
}

/** Processes outside `ours` listening on `port`, as "pid N (command)". */
function foreignHolders(port: number, ours: ReadonlySet<number>): string[] {
  return pidsHoldingSockets(listeningInodes(port))
    .filter((pid) => !ours.has(pid))
    .map((pid) => `pid ${pid} (${commandLineOf(pid)})`);
}

/**
 * Test-only: another process takes `port` (listens on it) and keeps it until released. A child
 * process rather than a server in this one, so the holder looks as it would in life: another program.
 */
async function takePort(port: number): Promise<() => Promise<void>> {
  const thief = spawn(
    process.execPath,
    ["-e", `require("node:net").createServer().listen(${port}, "127.0.0.1", () => console.log("taken"))`],
    { stdio: ["ignore", "pipe", "ignore"] },
  );
  await new Promise<void>((resolve, reject) => {
    thief.stdout.once("data", () => resolve());
    thief.once("exit", () => reject(new Error(`the test hook could not take port ${port}`)));
  });
  thief.removeAllListeners("exit");
  return async () => {
    const gone = new Promise((resolve) => thief.once("exit", resolve));
    thief.kill("SIGKILL");
    await gone;
  };
}

/**
 * Starts a component on a fresh free port: `start` gets the port, spawns the component and waits
 * until it is ready. A free port is only free when it is checked; another program may take it
 * before the component binds it. When the component then fails and its port is held by a process
 * that is not part of it, loadgate says so, stops the attempt and tries once more on another fresh
 * port; when that one is taken too, the StackError names the component, both ports, their holders
 * and the component's own error (with its log tail).
 */
export async function startOnFreePort(
  launch: Launch,
  name: string,
  start: (port: number) => Promise<void>,
): Promise<void> {
  const hook = launch.ctx.takePortForTest;
  const taken: string[] = [];
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const before = launch.components.length;
    const release = hook === `${name}:always` || (hook === name && attempt === 1) ? await takePort(port) : undefined;
    try {
      await start(port);
      return;
    } catch (err) {
      const mine = launch.components.slice(before);
      const ours = new Set(mine.flatMap((c) => treeMembers(c.pid)));
      const holders = foreignHolders(port, ours);
      if (holders.length === 0 || launch.ctx.signal?.aborted) throw err;
      taken.push(`port ${port} (held by ${holders.join(", ")})`);
      if (attempt >= 2) {
        throw new StackError(
          `${name} could not listen on its port: another process took ${taken.join(", and then ")} between loadgate's check that the port was free and ${name}'s bind. Something on this machine takes free ports as soon as they are handed out; stop it, or run loadgate where it does not run. ${name}'s own error:\n${err instanceof Error ? err.message : String(err)}`,
        );
      }
      launch.ctx.log(
        `${name}: port ${port} was taken by ${holders.join(", ")} between loadgate's check and ${name}'s bind; trying once more on a fresh port`,
      );
      for (const c of mine) {
        await c.stop(5000);
        launch.components.splice(launch.components.indexOf(c), 1);
      }
    } finally {
      await release?.();
    }
  }
}
