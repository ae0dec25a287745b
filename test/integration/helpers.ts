import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { expect } from "vitest";
import { listeningInodes } from "../../src/stack/ports.js";

export const ROOT = resolve(import.meta.dirname, "../..");
export const CLI = join(ROOT, "dist/cli.js");
export const TINY_APP = join(ROOT, "test/fixtures/tiny/app.py");

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the bundled CLI as a user would, with a hard time limit. */
export function runCli(
  args: string[],
  options: {
    env?: Record<string, string>;
    cwd?: string;
    timeoutMs?: number;
    onStderr?: (text: string, pid: number) => void;
  } = {},
): Promise<CliRun> {
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd ?? ROOT,
      env: { ...process.env, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
      options.onStderr?.(stderr, child.pid!);
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 170_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

/** Ports the run announced ("<name> started: pid N, port P"). */
export function announcedPorts(stderr: string): number[] {
  return [...stderr.matchAll(/started: pid \d+, port (\d+)/g)].map((m) => Number(m[1]));
}

/** Processes still carrying a loadgate run marker: none may survive a run. */
export function markedProcesses(): string[] {
  const found: string[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const env = readFileSync(`/proc/${entry}/environ`, "latin1");
      if (env.includes("LOADGATE_RUN_ID=")) {
        found.push(`${entry}: ${readFileSync(`/proc/${entry}/cmdline`, "utf8").replaceAll("\0", " ")}`);
      }
    } catch {
      // gone
    }
  }
  return found;
}

/** The run left nothing behind: no marked process, no listener on any port it announced. */
export function expectNothingLeft(run: CliRun): void {
  expect(markedProcesses()).toEqual([]);
  const ports = announcedPorts(run.stderr);
  for (const port of ports) expect(listeningInodes(port).size, `port ${port} still bound`).toBe(0);
}

/** A stack file in a temp folder around the tiny standard-library app. */
export function tinyStack(yaml: (app: string) => string): string {
  const dir = mkdtempSync(join(tmpdir(), "lg-stack-"));
  writeFileSync(join(dir, "stack.yml"), yaml(TINY_APP));
  writeFileSync(
    join(dir, "schema.sql"),
    "create table t (a int primary key);\ninsert into t select generate_series(1, 100);\n",
  );
  return dir;
}

export const bareStack =
  (extra = "") =>
  (app: string) =>
    `name: bare
database: none
pooler: none
proxy: none
app:
  command: python3 ${app} {port}
  ready: { http: /test, timeout: 4s }
load:
  connections: 4
  warmup: 0.5s
  duration: 1s
  trials: 2
${extra}`;
