import { StackError } from "../errors.js";
import type { Launch } from "./launch.js";
import { type Component, groupMembers, lastLines } from "./process-group.js";

/** One setup command (app.setup, a database.setup command) as it is run. */
export interface SetupStep {
  /** The stack-file field, for logs and errors: "app.setup", "database.setup[1]". */
  field: string;
  /** Component name, and its log file's (<run folder>/<name>.log). */
  name: string;
  /** The shell command, placeholders filled. */
  command: string;
  cwd: string;
  env: Record<string, string>;
  timeoutSeconds: number;
  /** Where the command is written: "<stack file>:<line>". */
  where: string;
  /** How to give it a longer timeout in the stack file, e.g. "app.setup: { command: …, timeout: 20m }". */
  timeoutHint: string;
}

/** Grace a setup command's group gets after SIGTERM (on a timeout or Ctrl-C) before SIGKILL. */
const STOP_GRACE_MS = 5000;

export function formatSeconds(s: number): string {
  if (s >= 120 && s % 60 === 0) return `${s / 60} min`;
  return s < 10 ? `${s.toFixed(1)} s` : `${Math.round(s)} s`;
}

type Ending = "exited" | "timeout" | "aborted";

/** Resolves when the command exits, its time is up, or the run is aborted; cleans up its timer and listener. */
function firstEnding(c: Component, timeoutSeconds: number, signal: AbortSignal | undefined): Promise<Ending> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => finish("timeout"), timeoutSeconds * 1000);
    const onAbort = () => finish("aborted");
    function finish(how: Ending) {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      resolve(how);
    }
    signal?.addEventListener("abort", onAbort, { once: true });
    void c.exited.then(() => finish("exited"));
  });
}

/**
 * Runs one setup command to completion as a component of `launch`: `sh -c` in its own process group
 * (so a timeout or Ctrl-C stops every process it started), its output in the run folder, the run
 * marker in its environment (so one that escapes its group is still found by tearDown). Whatever is
 * left of its group once it ends is stopped. Throws StackError (exit 3) naming the stack file's line,
 * the command, how it ended and the tail of its output; on abort, the signal's reason.
 */
export async function runSetupStep(launch: Launch, step: SetupStep): Promise<void> {
  const { signal, log } = launch.ctx;
  signal?.throwIfAborted();
  log(`${step.field}: ${step.command} (in ${step.cwd})`);
  const t0 = Date.now();
  const c = await launch.start({
    name: step.name,
    command: "/bin/sh",
    args: ["-c", step.command],
    env: { ...step.env, ...launch.markerEnv },
    cwd: step.cwd,
    ports: [],
  });
  let ending: Ending;
  try {
    ending = await firstEnding(c, step.timeoutSeconds, signal);
    const left = groupMembers(c.pid).length;
    if (ending === "exited" && left > 0) log(`${step.field}: stopping ${left} process(es) the command left running`);
  } finally {
    await c.stop(STOP_GRACE_MS);
    // A finished step is no longer part of the stack: its exit is not a crash, nor is it stopped again.
    const i = launch.components.indexOf(c);
    if (i >= 0) launch.components.splice(i, 1);
  }
  const took = formatSeconds((Date.now() - t0) / 1000);
  if (ending === "aborted") throw signal?.reason ?? new Error("interrupted");
  const what = `  command: ${step.command}\n  in:      ${step.cwd}`;
  const tail = `--- last lines of ${c.logFile} ---\n${lastLines(c.logFile, 20) || "(no output)"}\n---`;
  if (ending === "timeout") {
    throw new StackError(
      `${step.where}: ${step.field} did not finish within ${formatSeconds(step.timeoutSeconds)}; loadgate stopped it and every process it started.\n${what}\n${tail}\nIf it needs longer, give it a timeout: ${step.timeoutHint}.`,
    );
  }
  if (c.exitInfo?.code !== 0) {
    const how = c.exitInfo?.signal ? `was killed by ${c.exitInfo.signal}` : `exited with code ${c.exitInfo?.code}`;
    throw new StackError(
      `${step.where}: ${step.field} failed: the command ${how} after ${took}.\n${what}\n${tail}\nFix the command (run it by hand in that folder to see all of its output) and run again.`,
    );
  }
  log(`${step.field} took ${took}`);
}
