import { appendFileSync, existsSync, readFileSync, rmSync } from "node:fs";
import { RUN_MARKER } from "./launch.js";
import { commandLineOf, listeningInodes, pidsHoldingSockets, pidsWithEnv } from "./ports.js";
import { groupMembers } from "./process-group.js";

/** What a run records as it starts each component, so a later process can stop what a crashed run left. */
export interface RecordedComponent {
  name: string;
  pid: number;
  ports: number[];
  runId: string;
}

export function recordComponent(stateFile: string, c: RecordedComponent): void {
  appendFileSync(stateFile, `${JSON.stringify(c)}\n`);
}

export function readRecorded(stateFile: string): RecordedComponent[] {
  if (!existsSync(stateFile)) return [];
  return readFileSync(stateFile, "utf8")
    .split("\n")
    .filter(Boolean)
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as RecordedComponent];
      } catch {
        return [];
      }
    });
}

/**
 * Kills every process a recorded run left: the components' groups, anything carrying the run's
 * marker, and whatever listens on the run's ports. Returns a line per process killed.
 */
export async function cleanupRecorded(entries: readonly RecordedComponent[]): Promise<string[]> {
  const victims = new Map<number, string>();
  for (const e of entries) {
    for (const pid of groupMembers(e.pid)) victims.set(pid, `${e.name}: pid ${pid} ${commandLineOf(pid)}`);
    for (const pid of pidsWithEnv(RUN_MARKER, e.runId))
      victims.set(pid, `${e.name} (run ${e.runId}): pid ${pid} ${commandLineOf(pid)}`);
    for (const port of e.ports) {
      for (const pid of pidsHoldingSockets(listeningInodes(port)))
        victims.set(pid, `port ${port}: pid ${pid} ${commandLineOf(pid)}`);
    }
  }
  for (const pid of victims.keys()) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  const deadline = Date.now() + 3000;
  while (Date.now() < deadline && entries.some((e) => e.ports.some((p) => listeningInodes(p).size > 0))) {
    await new Promise((r) => setTimeout(r, 50));
  }
  return [...victims.values()];
}

export function forgetRecorded(stateFile: string): void {
  rmSync(stateFile, { force: true });
}
