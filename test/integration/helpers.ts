import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { expect } from "vitest";
import { commandLineOf, listeningInodes, pidsWithEnv } from "../../src/stack/ports.js";
import { groupMembers } from "../../src/stack/process-group.js";
import { tempDir } from "../support/temp.js";

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
    /** Shell commands run before the CLI, in the same shell (e.g. "ulimit -n 64"); the CLI then replaces it. */
    shellPrefix?: string;
  } = {},
): Promise<CliRun> {
  return new Promise((resolvePromise) => {
    const [command, argv] = options.shellPrefix
      ? ["bash", ["-c", `${options.shellPrefix}; exec "$0" "$@"`, process.execPath, CLI, ...args]]
      : [process.execPath, [CLI, ...args]];
    const child = spawn(command, argv, {
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

/** The parent of `pid` from /proc/<pid>/stat; 0 when it is gone. */
function parentOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return 0;
  }
}

/**
 * A process of the other lane's live run (vitest.config.ts runs two integration files side by side):
 * its ancestors reach another test worker before this one or PID 1. A process this file's runs left
 * behind is this worker's or, orphaned, PID 1's: it counts.
 */
function anotherWorkersRun(pid: number): boolean {
  for (let p = parentOf(pid), hops = 0; p > 1 && hops < 64; p = parentOf(p), hops++) {
    if (p === process.pid) return false;
    if (commandLineOf(p).includes("/vitest/dist/workers/")) return true;
  }
  return false;
}

/**
 * A process of the other lane's run seen through its paths: each lane's vitest process has a suite
 * folder of its own (TMPDIR, test/support/temp-root.ts), and an app's environment or a component's
 * command line names the run folder under it. This catches the other lane's processes in the moment
 * of their teardown, orphaned for a few milliseconds, that anotherWorkersRun cannot.
 */
function anotherLanesFolder(pid: number, env: string): boolean {
  const own = process.env.TMPDIR ?? "";
  const text = `${env}\0${readFileSync(`/proc/${pid}/cmdline`, "latin1")}`;
  return [...text.matchAll(/\/lg-suite-[A-Za-z0-9]{6}/g)].some((m) => !own.endsWith(m[0]));
}

/** Processes still carrying a loadgate run marker, this test file's or orphaned: none may survive a run. */
export function markedProcesses(): string[] {
  const found: string[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const env = readFileSync(`/proc/${entry}/environ`, "latin1");
      const marked = env.includes("LOADGATE_RUN_ID=");
      if (marked && !anotherWorkersRun(Number(entry)) && !anotherLanesFolder(Number(entry), env)) {
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
  const dir = tempDir("lg-stack-");
  writeFileSync(join(dir, "stack.yml"), yaml(TINY_APP));
  writeFileSync(
    join(dir, "schema.sql"),
    "create table t (a int primary key);\ninsert into t select generate_series(1, 100);\n",
  );
  return dir;
}

/** app.pass-env for the tiny app: the variables the tests set in the run's environment to steer it. */
export const TINY_PASS_ENV =
  "  pass-env: [TINY_MODE, TINY_DELAY_MS, TINY_WORK_LOOPS, TINY_ERROR_SHARE, TINY_SLEEP_S, TINY_HANG_AFTER, TINY_DIE_AFTER]\n";

const BARE_LOAD = "  connections: 4\n  warmup: 0.5s\n  duration: 1s\n  trials: 2\n";

/** The tiny app alone (no database, pooler or proxy): `extra` top-level keys, the load and readiness given. */
export const bareStack =
  (extra = "", o: { load?: string; ready?: string } = {}) =>
  (app: string) =>
    `name: bare
database: none
pooler: none
proxy: none
app:
  command: python3 ${app} {port}
${TINY_PASS_ENV}  ready: ${o.ready ?? "{ http: /test, timeout: 4s }"}
load:
${o.load ?? BARE_LOAD}${extra}`;

/** The variable runTagged() gives a run: the app and setup commands inherit it from the run's environment. */
const TEST_TAG = "LOADGATE_TEST_TAG";

/**
 * runCli with a tag of its own in the environment, for expectNothingLeftOf: markedProcesses() sees
 * every loadgate run on the machine, and other work may be running stacks at the same time.
 */
export async function runTagged(
  args: string[],
  options: Parameters<typeof runCli>[1] = {},
): Promise<CliRun & { tag: string }> {
  const tag = randomBytes(6).toString("hex");
  const run = await runCli(args, { ...options, env: { ...options.env, [TEST_TAG]: tag } });
  return { ...run, tag };
}

/**
 * This run left nothing behind: no process carrying its tag (the app's and setup commands' trees), no
 * member of a process group it announced, no listener on a port it announced.
 */
export function expectNothingLeftOf(run: CliRun & { tag: string }): void {
  expect(pidsWithEnv(TEST_TAG, run.tag).map(commandLineOf), "processes with the run's tag").toEqual([]);
  for (const m of run.stderr.matchAll(/started: pid (\d+)/g)) {
    expect(groupMembers(Number(m[1])).map(commandLineOf), `group ${m[1]}`).toEqual([]);
  }
  for (const port of announcedPorts(run.stderr)) expect(listeningInodes(port).size, `port ${port} still bound`).toBe(0);
}

/**
 * The tiny fixture's full chain with the work count on, its app running `queries` statements per
 * request over one psql connection; `work` the stack file's work section.
 */
export function queryingStack(queries: number, work: string, extraEnv = ""): string {
  const dir = tempDir("lg-work-stack-");
  const fixture = readFileSync(join(ROOT, "test/fixtures/tiny/stack.yml"), "utf8")
    .replace(/^work: false\n/m, "")
    .replace("schema: schema.sql", `schema: ${join(ROOT, "test/fixtures/tiny/schema.sql")}`)
    .replace("command: python3 app.py {port}", `command: python3 ${TINY_APP} {port}`)
    .replace(
      'env: { DATABASE_URL: "{database_url}" }',
      `env: { DATABASE_URL: "{database_url}", TINY_MODE: db-query, TINY_QUERIES: "${queries}"${extraEnv} }`,
    );
  writeFileSync(join(dir, "stack.yml"), `${fixture}${work}`);
  return dir;
}
