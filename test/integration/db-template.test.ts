import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { planRun } from "../../src/config/cli-plan.js";
import type { RunPlan } from "../../src/config/plan.js";
import { type PreparedStack, prepareStack, seedTemplate, startStack } from "../../src/engine/prepare.js";
import { StackError } from "../../src/errors.js";
import { commandLineOf, listeningInodes, pidsWithEnv } from "../../src/stack/ports.js";
import { unprivilegedUser } from "../../src/stack/run-user.js";
import { RUN_MARKER, type RunningStack } from "../../src/stack/stack.js";
import { announcedPorts, ROOT, TINY_APP } from "./helpers.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** A run plan for one stack whose run folders go into a fresh tmpDir we can inspect afterwards. */
async function prepared(stackDir: string): Promise<{ run: RunPlan; p: PreparedStack; tmpDir: string }> {
  const tmpDir = mkdtempSync(join(tmpdir(), "lg-template-"));
  chmodSync(tmpDir, 0o755); // the unprivileged user must reach it, or the run moves to /tmp
  cleanups.push(() => rmSync(tmpDir, { recursive: true, force: true }));
  const plan = planRun([stackDir], { cwd: ROOT, env: process.env, isTTY: false }, "test");
  const run: RunPlan = { ...plan, tmpDir };
  return { run, p: await prepareStack(run, run.stacks[0], () => {}), tmpDir };
}

/** Collects the log and the run ids of every component started, to check afterwards that none is left. */
function logSink() {
  const lines: string[] = [];
  const runIds = new Set<string>();
  return {
    lines,
    log: (l: string) => lines.push(l),
    onComponent: (c: { runId: string }) => runIds.add(c.runId),
    /**
     * expectNothingLeft, but only for this test's runs: markedProcesses() sees every loadgate run on
     * the machine, and other work may be running stacks at the same time.
     */
    expectNothingLeft() {
      expect(runIds.size).toBeGreaterThan(0);
      for (const id of runIds) expect(pidsWithEnv(RUN_MARKER, id).map(commandLineOf), `run ${id}`).toEqual([]);
      for (const port of announcedPorts(lines.join("\n")))
        expect(listeningInodes(port).size, `port ${port} still bound`).toBe(0);
    },
  };
}

function sql(p: PreparedStack, stack: RunningStack, query: string): string {
  return execFileSync(join(p.binaries.postgresBin!, "psql"), ["-X", "-Atq", stack.database!.postgresUrl, "-c", query], {
    env: { PATH: "/usr/bin:/bin" },
  })
    .toString()
    .trim();
}

/** A stack folder: a tiny app over a database with `database` as its stack-file section, and the SQL files. */
function stackDir(name: string, database: string, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "lg-stack-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(
    join(dir, "stack.yml"),
    `name: ${name}
database:
${database}
pooler: none
proxy: none
app:
  command: python3 ${TINY_APP} {port}
  ready: { http: /test, timeout: 4s }
`,
  );
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return dir;
}

/** The value a promise rejects with, or undefined when it resolves. */
const rejection = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

describe("a seeded database template: seed once, start stacks from copies", () => {
  it("two stacks start from one template, each with the seeded data and its own copy; nothing is left", async () => {
    const { run, p, tmpDir } = await prepared(join(ROOT, "test/fixtures/tiny"));
    const out = logSink();
    const template = await seedTemplate(run, p, { log: out.log, onComponent: out.onComponent });
    cleanups.push(() => template.dispose());
    expect(template.dir.startsWith(tmpDir)).toBe(true);
    expect(existsSync(join(template.dir, "postmaster.pid")), "the template was shut down cleanly").toBe(false);
    const user = unprivilegedUser();
    if (user) expect(statSync(template.dir).uid).toBe(user.uid);
    expect(statSync(template.dir).mode & 0o777).toBe(0o700);

    const seedLines = out.lines.length;
    const a = await startStack(run, p, { log: out.log, onComponent: out.onComponent, databaseTemplate: template.dir });
    cleanups.push(() => a.down());
    const b = await startStack(run, p, { log: out.log, onComponent: out.onComponent, databaseTemplate: template.dir });
    cleanups.push(() => b.down());
    const upLog = out.lines.slice(seedLines).join("\n");
    expect(upLog.match(/postgres: started from the seeded copy of .* \(copy took [\d.]+ s/g)).toHaveLength(2);
    expect(upLog).not.toMatch(/initdb|database\.schema/);
    expect(upLog).toMatch(/prewarmed \d+ MiB/); // the buffer cache is per instance: still prewarmed
    expect(a.ports.postgres).not.toBe(b.ports.postgres);
    const data = join(a.runDir, "pg", "data");
    if (user) expect(statSync(data).uid).toBe(user.uid);
    expect(statSync(data).mode & 0o777).toBe(0o700);

    // Both answer with the seeded rows, through the whole chain up to nginx.
    expect(sql(p, a, "select count(*) from t")).toBe("1000");
    expect(sql(p, b, "select count(*) from t")).toBe("1000");
    for (const s of [a, b]) expect((await fetch(`${s.url}/test`)).status).toBe(200);

    // Each copy is its own database.
    sql(p, a, "insert into t values (1001)");
    expect(sql(p, a, "select count(*) from t")).toBe("1001");
    expect(sql(p, b, "select count(*) from t")).toBe("1000");

    // A stack started without the template still seeds its own database.
    const freshFrom = out.lines.length;
    const c = await startStack(run, p, { log: out.log, onComponent: out.onComponent });
    cleanups.push(() => c.down());
    expect(out.lines.slice(freshFrom).join("\n")).toMatch(
      /(initdb|fresh cluster: a copy of initdb's in \S+)\n[\s\S]*database\.schema: /,
    );
    expect(sql(p, c, "select count(*) from t")).toBe("1000");

    await a.down();
    await b.down();
    await c.down();
    template.dispose();
    out.expectNothingLeft();
    expect(readdirSync(tmpDir)).toEqual([]);
  });

  it("a failing seed SQL: the same StackError (exit 3, the SQL file and line) as a fresh start, and nothing left behind", async () => {
    const dir = stackDir("bad-seed", "  schema: schema.sql\n  seed: seed.sql", {
      "schema.sql": "create table t (a int primary key);\n",
      "seed.sql": "insert into t values (1);\ninsert into missing_table values (2);\n",
    });
    const { run, p, tmpDir } = await prepared(dir);
    const out = logSink();

    const fromTemplate = await rejection(seedTemplate(run, p, { log: out.log, onComponent: out.onComponent }));
    expect(fromTemplate).toBeInstanceOf(StackError);
    const message = (fromTemplate as StackError).message;
    expect(message.split("\n")[0]).toBe(
      `${join(dir, "stack.yml")}:4: database.seed failed at ${join(dir, "seed.sql")}:2: ERROR: relation "missing_table" does not exist`,
    );
    expect(message).toContain(`Fix the SQL (${join(dir, "seed.sql")}:2) and run again.`);
    out.expectNothingLeft();
    expect(readdirSync(tmpDir)).toEqual([]);

    const fresh = await rejection(startStack(run, p, { log: out.log, onComponent: out.onComponent }));
    expect(fresh).toBeInstanceOf(StackError);
    expect((fresh as StackError).message).toBe(message);
    out.expectNothingLeft();
  });

  it("PostgreSQL failing to start while seeding: a StackError naming it, and nothing left behind", async () => {
    const dir = stackDir("bad-setting", '  schema: schema.sql\n  settings: { shared_buffers: "not-a-size" }', {
      "schema.sql": "create table t (a int primary key);\n",
    });
    const { run, p, tmpDir } = await prepared(dir);
    const out = logSink();
    const err = await rejection(seedTemplate(run, p, { log: out.log, onComponent: out.onComponent }));
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/^postgres exited with code \d+ before it was ready/);
    expect((err as Error).message).toContain("shared_buffers");
    out.expectNothingLeft();
    expect(readdirSync(tmpDir)).toEqual([]);
  });
});

describe("fresh clusters from the cache (src/stack/cluster-cache.ts)", () => {
  it("the first start runs initdb and keeps its cluster (root's, plain files only); the next copies it, the user's, 0700", async () => {
    const { run: planned, p } = await prepared(join(ROOT, "test/fixtures/tiny"));
    const cacheDir = mkdtempSync(join(tmpdir(), "lg-cluster-cache-"));
    cleanups.push(() => rmSync(cacheDir, { recursive: true, force: true }));
    const run: RunPlan = { ...planned, cacheDir };
    const out = logSink();
    const first = await startStack(run, p, { log: out.log, onComponent: out.onComponent });
    cleanups.push(() => first.down());
    expect(out.lines).toContain("initdb");
    const entries = readdirSync(join(cacheDir, "clusters"));
    expect(entries).toHaveLength(1);
    const kept = join(cacheDir, "clusters", entries[0], "data");
    expect(statSync(kept).uid).toBe(process.getuid?.());
    expect(existsSync(join(kept, "PG_VERSION"))).toBe(true);
    await first.down();

    const from = out.lines.length;
    const second = await startStack(run, p, { log: out.log, onComponent: out.onComponent });
    cleanups.push(() => second.down());
    const log = out.lines.slice(from).join("\n");
    expect(log).toContain(`fresh cluster: a copy of initdb's in ${join(cacheDir, "clusters", entries[0])}`);
    expect(log).not.toMatch(/^initdb$/m);
    const data = join(second.runDir, "pg", "data");
    const user = unprivilegedUser();
    if (user) expect(statSync(data).uid).toBe(user.uid);
    expect(statSync(data).mode & 0o777).toBe(0o700);
    expect(sql(p, second, "select count(*) from t")).toBe("1000");
    expect(readdirSync(second.runDir).filter((n) => n.startsWith(".cluster-"))).toEqual([]);
    await second.down();
    out.expectNothingLeft();
  });
});
