import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, readdirSync, readFileSync } from "node:fs";
import { StackError } from "../errors.js";
import type { ProbeAnswer } from "./probes.js";
import { openLog } from "./run-folder.js";
import type { RunUser } from "./run-user.js";

export interface ComponentOptions {
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  logFile: string;
  user?: RunUser;
  /** Signal that asks the component to shut down. PostgreSQL's fast shutdown is SIGINT. */
  stopSignal?: NodeJS.Signals;
  /** CPUs the component may use (taskset list, e.g. "1-3"); unset: all. */
  cpus?: string;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Live (non-zombie) pids whose process group is `pgid`, read from /proc/<pid>/stat. */
export function groupMembers(pgid: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // pid (comm) state ppid pgrp ...; comm may hold spaces and parentheses
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (fields[0] !== "Z" && Number(fields[2]) === pgid) pids.push(Number(entry));
    } catch {
      // exited while we looked
    }
  }
  return pids;
}

/**
 * Live pids in a component's tree: its process group plus every descendant by parent pid.
 * PostgreSQL's children call setsid(), so the group alone misses the backends.
 */
export function treeMembers(root: number): number[] {
  const parents = new Map<number, number>();
  const groups = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (fields[0] === "Z") continue;
      parents.set(Number(entry), Number(fields[1]));
      groups.set(Number(entry), Number(fields[2]));
    } catch {
      // exited while we looked
    }
  }
  const members = new Set<number>();
  for (const [pid, pgid] of groups) if (pgid === root) members.add(pid);
  if (parents.has(root)) members.add(root);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, ppid] of parents) {
      if (!members.has(pid) && members.has(ppid)) {
        members.add(pid);
        grew = true;
      }
    }
  }
  return [...members];
}

export function lastLines(file: string, n = 20): string {
  try {
    const lines = readFileSync(file, "utf8").split("\n");
    if (lines.at(-1) === "") lines.pop();
    return lines.slice(-n).join("\n");
  } catch {
    return "";
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every component process group this process started and has not yet seen gone. */
const liveGroups = new Set<number>();

/**
 * Last resort when this process is about to die abnormally (an uncaught error): SIGKILL every
 * group it started, synchronously, so nothing outlives it. The normal path stops them gracefully.
 */
export function killAllGroupsNow(): number {
  let n = 0;
  for (const pgid of liveGroups) {
    try {
      process.kill(-pgid, "SIGKILL");
      n++;
    } catch {
      // already gone
    }
  }
  liveGroups.clear();
  return n;
}

/** One component of the stack: its own process group (and session), its output in a log file. */
export class Component {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  readonly exited: Promise<ExitInfo>;
  exitInfo: ExitInfo | undefined;
  /** Set once we asked it to stop, so its exit is not reported as a crash. */
  stopping = false;
  private readonly stopSignal: NodeJS.Signals;

  private constructor(options: ComponentOptions, child: ChildProcess) {
    this.name = options.name;
    this.pid = child.pid!;
    this.logFile = options.logFile;
    this.stopSignal = options.stopSignal ?? "SIGTERM";
    liveGroups.add(this.pid);
    this.exited = new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        this.exitInfo = { code, signal };
        resolve(this.exitInfo);
      });
    });
  }

  static async start(options: ComponentOptions): Promise<Component> {
    const fd = openLog(options.logFile); // never through a link planted in its place
    try {
      const [command, args] = options.cpus
        ? ["taskset", ["-c", options.cpus, options.command, ...options.args]]
        : [options.command, options.args];
      const child = spawn(command, args, {
        cwd: options.cwd,
        env: options.env,
        // detached: setsid(), so the component and all its children form one group we can signal.
        detached: true,
        stdio: ["ignore", fd, fd],
        uid: options.user?.uid,
        gid: options.user?.gid,
      });
      await new Promise<void>((resolve, reject) => {
        child.once("spawn", () => resolve());
        child.once("error", (err) =>
          reject(new StackError(`${options.name}: cannot start "${options.command}": ${err.message}`)),
        );
      });
      return new Component(options, child);
    } finally {
      closeSync(fd);
    }
  }

  get running(): boolean {
    return this.exitInfo === undefined;
  }

  describeExit(): string {
    const e = this.exitInfo;
    if (!e) return "is still running";
    return e.signal ? `was killed by ${e.signal}` : `exited with code ${e.code}`;
  }

  /** An error naming the component, how it ended and the tail of its log. */
  failure(what: string): StackError {
    const tail = lastLines(this.logFile, 20);
    return new StackError(`${this.name} ${what}.\n--- last lines of ${this.logFile} ---\n${tail || "(empty)"}\n---`);
  }

  private signalGroup(signal: NodeJS.Signals): void {
    try {
      process.kill(-this.pid, signal);
    } catch {
      // the group is gone
    }
  }

  /** Asks the group to stop, waits up to `graceMs`, then kills what is left. */
  async stop(graceMs = 5000): Promise<void> {
    this.stopping = true;
    if (groupMembers(this.pid).length === 0 && !this.running) {
      liveGroups.delete(this.pid);
      return;
    }
    this.signalGroup(this.stopSignal);
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline) {
      if (!this.running && groupMembers(this.pid).length === 0) {
        liveGroups.delete(this.pid);
        return;
      }
      await sleep(50);
    }
    this.signalGroup("SIGKILL");
    const killDeadline = Date.now() + 2000;
    while (Date.now() < killDeadline && (this.running || groupMembers(this.pid).length > 0)) await sleep(25);
    liveGroups.delete(this.pid);
  }
}

/** A hint for a component still running but answering 5xx to its readiness probe. */
const FAILED_LOAD_HINT =
  "A server that stays up after its app failed to load (uWSGI without need-app, a WSGI or ASGI import error caught by the server) answers 5xx like this: the cause is in the log below. Fix it, or make the server exit when the app cannot load";

/**
 * Polls `probe` until it answers ready; fails with the component's exit and log when it dies or
 * times out. On a timeout the message says what the last probe found (the status and the body's
 * first line, a refused connection, no answer).
 */
export async function waitReady(
  component: Component,
  probe: () => Promise<boolean | ProbeAnswer>,
  timeoutSeconds: number,
  what = "ready",
  signal?: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  let last: ProbeAnswer | undefined;
  while (Date.now() < deadline) {
    signal?.throwIfAborted();
    if (!component.running) throw component.failure(`${component.describeExit()} before it was ${what}`);
    // A component that dies while a probe waits (on a port someone else holds, which never answers)
    // is reported at once, not when the probe gives up.
    const answer = await Promise.race([
      probe().catch((): ProbeAnswer => ({ ok: false, detail: "the probe failed" })),
      component.exited.then((): ProbeAnswer => ({ ok: false, detail: "it exited" })),
    ]);
    if (answer === true || (typeof answer === "object" && answer.ok)) return;
    if (typeof answer === "object") last = answer;
    if (!component.running) throw component.failure(`${component.describeExit()} before it was ${what}`);
    await sleep(100);
  }
  throw component.failure(notReadyText(component.pid, timeoutSeconds, what, last));
}

/** "did not become ready … within N s: it is still running (pid P) and GET /x answered HTTP 500 "…"". */
export function notReadyText(pid: number, timeoutSeconds: number, what: string, last: ProbeAnswer | undefined): string {
  if (!last || last.ok)
    return `did not become ${what} within ${timeoutSeconds} s (it is still running; it may be stuck)`;
  const failedLoad = last.status !== undefined && last.status >= 500 ? `. ${FAILED_LOAD_HINT}` : "; it may be stuck";
  return `did not become ${what} within ${timeoutSeconds} s: it is still running (pid ${pid}) and ${last.detail}${failedLoad}`;
}
