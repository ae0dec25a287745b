import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { tempDir } from "../support/temp.js";
import { bareStack, type CliRun, expectNothingLeftOf, runTagged, TINY_PASS_ENV, tinyStack } from "./helpers.js";

// Faults that need a fixture or an injected fault (issue 20): each asserts the contract's exit code
// within a bounded time, a message naming the component, the cause and what to do, the log tail
// where there is one, nothing of the run left (processes, groups, ports) and no baseline written.

/** A bare stack (no database, pooler or proxy) around the tiny app, with the load settings given. */
const bare = (load: string, ready?: string) => bareStack("", { load, ready });

const SHORT_LOAD = "  connections: 4\n  warmup: 0.5s\n  duration: 1s\n  trials: 1\n";

/** A --save-baseline path in a fresh folder: every failing run must leave it unwritten. */
function baselinePath(): string {
  return join(tempDir("lg-baseline-"), "baseline.json");
}

/** Runs the CLI with --save-baseline and checks the common part: nothing left, no baseline, bounded time. */
async function runFault(
  args: string[],
  options: Parameters<typeof runTagged>[1] & { maxSeconds?: number } = {},
): Promise<CliRun & { tag: string; baseline: string }> {
  const baseline = baselinePath();
  const started = Date.now();
  const run = await runTagged([...args, "--save-baseline", baseline], options);
  expect((Date.now() - started) / 1000, run.stderr).toBeLessThan(options.maxSeconds ?? 60);
  expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace: a fault we recognise, not a bug
  return { ...run, baseline };
}

/** The checks every fault ends with. */
function expectCleanFailure(run: CliRun & { tag: string; baseline: string }): void {
  expectNothingLeftOf(run);
  expect(existsSync(run.baseline), `${run.baseline} written`).toBe(false);
}

/** Mounts a tmpfs (root, or passwordless sudo); undefined when this machine does not let us. */
function tmpfs(options: string): string | undefined {
  const dir = tempDir("lg-tmpfs-");
  const sudo = process.getuid?.() === 0 ? [] : ["sudo", "-n"];
  try {
    const [cmd, ...rest] = [...sudo, "mount", "-t", "tmpfs", "-o", options, "tmpfs", dir];
    execFileSync(cmd!, rest, { stdio: "ignore" });
    mounts.push({ dir, sudo });
    return dir;
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
}
const mounts: { dir: string; sudo: string[] }[] = [];
afterAll(() => {
  for (const m of mounts) {
    const [cmd, ...rest] = [...m.sudo, "umount", "-l", m.dir];
    execFileSync(cmd!, rest, { stdio: "ignore" });
    rmSync(m.dir, { recursive: true, force: true });
  }
});

describe("injected faults: the contract's exit code, a message that names the cause, nothing left, no baseline", () => {
  it("an app that fails to load while its server keeps answering 5xx: exit 3 with the status, the body's first line and the log", async () => {
    const run = await runFault(["run", tinyStack(bare(SHORT_LOAD, "{ http: /test, timeout: 2s }"))], {
      env: { TINY_MODE: "load-fail" },
    });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain("app did not become ready (HTTP 2xx on /test) within 2 s: it is still running (pid ");
    expect(run.stderr).toContain('and GET /test answered HTTP 500 "Internal Server Error"');
    expect(run.stderr).toContain("uWSGI without need-app");
    expect(run.stderr).toContain("ImportError: cannot import name 'create_app' from 'shop'");
    expectCleanFailure(run);
  });

  it("a server that logs a fatal error and stops answering without exiting: the watchdog stops it, exit 3", async () => {
    const load = "  connections: 4\n  warmup: 0.5s\n  duration: 3s\n  trials: 2\n  timeout: 1s\n";
    const run = await runFault(["run", tinyStack(bare(load))], {
      env: { TINY_MODE: "hang-after", TINY_HANG_AFTER: "1" },
      maxSeconds: 30,
    });
    expect(run.code).toBe(3);
    // load.timeout 1 s: the watchdog's limit is twice that.
    expect(run.stderr).toContain("app stopped answering: no response for 2 s while it is still running (pid ");
    expect(run.stderr).toContain("give it a longer load.timeout");
    expect(run.stderr).toContain("FATAL: internal error in the request dispatcher (deadlock detected); not exiting");
    expectCleanFailure(run);
  });

  it("an app that answers 500 to a share of requests: counted by kind, the gate fails (exit 1) without a baseline", async () => {
    const dir = tinyStack(bare(SHORT_LOAD));
    const run = await runFault(["run", dir], { env: { TINY_MODE: "error-share", TINY_ERROR_SHARE: "0.3" } });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("stack bare: ");
    expect(run.stderr).toContain("of the measured requests failed (connection errors 0, timeouts 0, non-2xx ");
    expect(run.stderr).toContain("over the error-rate limit of 1% (gate.error-rate, or --max-error-rate)");
    expect(run.stderr).toContain("non-2xx: the app answered with an error status");
    expect(run.stderr).toContain("ERROR handling request 1: ZeroDivisionError: division by zero");
    expect(run.stderr).toContain("No baseline written to");
    expect(run.stdout).toMatch(/bare: REGRESSION[\s\S]*Error rate .*regression/);
    expectCleanFailure(run);

    // Failures the user allows do not fail the run, and it is then a baseline like any other.
    const allowed = await runTagged(["run", dir, "--max-error-rate", "50%"], {
      env: { TINY_MODE: "error-share", TINY_ERROR_SHARE: "0.3" },
    });
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(allowed.stdout).toMatch(
      /failed requests in the measured trials \(connection errors 0, timeouts 0, non-2xx \d+\)/,
    );
    expectNothingLeftOf(allowed);
  });

  it("a port taken between the check and the bind: retried once on a fresh port, exit 3 when that is taken too", async () => {
    const dir = tinyStack(bare(SHORT_LOAD));
    const once = await runTagged(["run", dir], { env: { LOADGATE_TEST_TAKE_PORT: "app" } });
    expect(once.code, once.stderr).toBe(0);
    expect(once.stderr).toMatch(
      /app: port \d+ was taken by pid \d+ \(.*node.*\) between loadgate's check and app's bind; trying once more on a fresh port/,
    );
    expectNothingLeftOf(once);

    const run = await runFault(["run", dir], { env: { LOADGATE_TEST_TAKE_PORT: "app:always" } });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain("app could not listen on its port: another process took port ");
    expect(run.stderr).toMatch(/took port \d+ \(held by pid \d+ .*\), and then port \d+ \(held by pid \d+/);
    expect(run.stderr).toContain("Something on this machine takes free ports as soon as they are handed out");
    expect(run.stderr).toContain("Address already in use"); // the app's own log tail
    expectCleanFailure(run);
  });

  it("PostgreSQL refusing a bad setting: exit 3 naming PostgreSQL, the setting, its line and PostgreSQL's words", async () => {
    const dir = tinyStack((app) =>
      bare(SHORT_LOAD)(app).replace(
        "database: none",
        "database:\n  schema: schema.sql\n  settings:\n    shared_buffers: lots",
      ),
    );
    const run = await runFault(["run", dir]);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(
      `postgres exited with code 1 before it was ready: PostgreSQL refused the setting database.settings.shared_buffers: "lots" (${join(dir, "stack.yml")}:5)`,
    );
    expect(run.stderr).toContain('FATAL: invalid value for parameter "shared_buffers": "lots"');
    expect(run.stderr).toContain("Fix or remove database.settings.shared_buffers in the stack file");
    expect(run.stderr).toMatch(/--- last lines of .*postgres\.log ---/);
    expectCleanFailure(run);
  });

  it("a seed SQL that fails: exit 3 with the file and line of the statement and psql's own error", async () => {
    const dir = tinyStack((app) =>
      bare(SHORT_LOAD)(app).replace(
        "database: none",
        "database:\n  schema: schema.sql\n  seed: seed.sql\n  prewarm: false",
      ),
    );
    writeFileSync(join(dir, "seed.sql"), "insert into t values (1000);\ninsert into missing_table values (2);\n");
    const run = await runFault(["run", dir]);
    expect(run.code).toBe(3);
    const seed = join(dir, "seed.sql");
    expect(run.stderr).toContain(
      `${join(dir, "stack.yml")}:4: database.seed failed at ${seed}:2: ERROR: relation "missing_table" does not exist`,
    );
    expect(run.stderr).toContain(`psql:${seed}:2: ERROR:  relation "missing_table" does not exist`);
    expect(run.stderr).toContain(`Fix the SQL (${seed}:2) and run again.`);
    expectCleanFailure(run);
  });

  it("PgBouncer's pool exhausted: clients wait and time out, counted as timeouts, and the gate fails (exit 1)", async () => {
    const dir = tinyStack(
      (app) => `name: pool
database: { schema: schema.sql, prewarm: false }
pooler: { pgbouncer: { pool_mode: transaction, default_pool_size: 1 } }
proxy: none
app:
  command: python3 ${app} {port}
  env: { DATABASE_URL: "{database_url}" }
${TINY_PASS_ENV}  ready: { http: /test, timeout: 4s }
load:
  requests: [ { path: /test }, { path: /db } ]
  connections: 4
  warmup: 0.5s
  duration: 2s
  trials: 1
  timeout: 1s
`,
    );
    const run = await runFault(["run", dir], { env: { TINY_MODE: "db-sleep", TINY_SLEEP_S: "0.5" } });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("stack pool: ");
    expect(run.stderr).toContain("of the measured requests failed (connection errors 0, timeouts ");
    expect(run.stderr).toMatch(/of the measured requests failed \(connection errors 0, timeouts [1-9]\d*, non-2xx 0;/);
    expect(run.stderr).toContain("timeouts: no answer within load.timeout (1 s)");
    expect(run.stderr).toMatch(/PgBouncer's pool for loadgate: \d+ client\(s\) waiting for a server connection/);
    expect(run.stderr).toContain("client(s) waiting for a server connection");
    expect(run.stderr).toContain("of 1 (pooler.pgbouncer.default_pool_size)");
    expect(run.stderr).toContain("No baseline written to");
    expectCleanFailure(run);
  });

  it("a run folder on a read-only file system: exit 2 naming the folder and the variable, nothing started", async (ctx) => {
    const root = process.getuid?.() === 0;
    // Root writes through any mode bits: a read-only mount is the only folder root cannot write.
    const dir = root ? tmpfs("size=1m,ro") : tempDir("lg-ro-");
    if (!dir) return ctx.skip();
    if (!root) chmodSync(dir, 0o555);
    const run = await runFault(["run", tinyStack(bare(SHORT_LOAD))], { env: { RUNNER_TEMP: dir } });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`RUNNER_TEMP=${dir}: loadgate cannot create the run's folder there (`);
    expect(run.stderr).toContain(
      root ? "EROFS: it is on a read-only file system" : "EACCES: this user may not write there",
    );
    expect(run.stderr).toContain("Point RUNNER_TEMP at a writable folder with room");
    expect(run.stderr).not.toContain("started: pid");
    expectCleanFailure(run);
  });

  it("a run folder that fills up during the run: exit 3 naming the folder, the space and what to do", async (ctx) => {
    const dir = tmpfs("size=3m,mode=1777");
    if (!dir) return ctx.skip();
    const stack = tinyStack((app) =>
      bare(SHORT_LOAD)(app).replace("database: none", "database: { schema: schema.sql }"),
    );
    const run = await runFault(["run", stack], { env: { RUNNER_TEMP: dir } });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain("The run folder ");
    expect(run.stderr).toContain(" ran out of space (");
    expect(run.stderr).toMatch(
      /The run folder .*\/loadgate-bare-\w+ ran out of space \(a file system of 3\.0 MB, \d+\.\d MB free when loadgate looked\)/,
    );
    expect(run.stderr).toContain("no space left on device");
    expect(run.stderr).toContain("Free space there, or point RUNNER_TEMP (or TMPDIR) at a folder with more room.");
    expect(run.stderr).toContain("No space left on device"); // initdb's own words
    expectCleanFailure(run);
  });

  it("more connections than ulimit -n allows: exit 2 saying EMFILE, the limit and what to do, before the stack starts", async () => {
    const run = await runFault(["run", tinyStack(bare(SHORT_LOAD)), "--connections", "200"], {
      shellPrefix: "ulimit -n 64",
      maxSeconds: 20,
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      "the load generator cannot open 200 connections (EMFILE: too many open files): this process may have 64 open files (ulimit -n 64)",
    );
    expect(run.stderr).toContain("Raise ulimit -n (e.g. ulimit -n 4096");
    expect(run.stderr).toContain("or lower connections (load.connections or --connections to ");
    expect(run.stderr).toContain(" or fewer).");
    expect(run.stderr).not.toContain("started: pid");
    expectCleanFailure(run);
  });
});
