import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { planRun } from "../../src/config/cli-plan.js";
import type { RunPlan } from "../../src/config/plan.js";
import { prepareStack, seedTemplate, startStack } from "../../src/engine/prepare.js";
import { exitCodeOf, StackError } from "../../src/errors.js";
import { commandLineOf, listeningInodes, pidsWithEnv } from "../../src/stack/ports.js";
import { RUN_MARKER } from "../../src/stack/stack.js";
import { announcedPorts, expectNothingLeftOf, ROOT, runTagged, TINY_APP } from "./helpers.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o755); // the unprivileged user must reach run folders made under it
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A stack folder with `stack.yml` (the tiny app, no pooler or proxy) and `files`. */
function stackDir(head: string, app: string, files: Record<string, string> = {}): string {
  const dir = tempDir("lg-setup-stack-");
  writeFileSync(
    join(dir, "stack.yml"),
    `name: setup-test
${head}
pooler: none
proxy: none
app:
  command: python3 ${TINY_APP} {port}
  ready: { http: /test, timeout: 4s }
${app}
load: { connections: 4, warmup: 0s, duration: 0.5s, trials: 1 }
`,
  );
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const lines = (file: string) => (existsSync(file) ? readFileSync(file, "utf8").trim().split("\n") : []);

describe("app.setup: a build step before the stack comes up", () => {
  it("runs, is cached on the second run, runs again when a key file changes; with the app's environment", async () => {
    const dir = stackDir(
      "database: none",
      `  env: { MODE: from-app-env, DATABASE_URL: "{database_url}" }
  pass-env: [DATABASE_URL]
  setup:
    command: 'echo "built from $(cat key.txt) with MODE=$MODE DATABASE_URL=\${DATABASE_URL:-unset} in {stack_dir}" >> runs.txt'
    files: [key.txt]`,
      { "key.txt": "v1" },
    );
    const cache = tempDir("lg-setup-cache-");
    const run = () =>
      runTagged(["run", dir, "--trials", "1"], {
        env: { LOADGATE_CACHE_DIR: cache, DATABASE_URL: "from-the-run-env" },
      });

    const first = await run();
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain("app.setup: running (no earlier success for this folder and command)");
    // app.env's {database_url} needs the running stack: the setup keeps the run's own DATABASE_URL (app.pass-env).
    expect(lines(join(dir, "runs.txt"))).toEqual([
      `built from v1 with MODE=from-app-env DATABASE_URL=from-the-run-env in ${dir}`,
    ]);
    expectNothingLeftOf(first);

    const second = await run();
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/app\.setup: cached \(key\.txt unchanged since it succeeded at \S+; marker /);
    expect(lines(join(dir, "runs.txt"))).toHaveLength(1);

    writeFileSync(join(dir, "key.txt"), "v2");
    const third = await run();
    expect(third.code, third.stderr).toBe(0);
    expect(third.stderr).toContain("app.setup: running (changed: key.txt)");
    expect(lines(join(dir, "runs.txt"))).toEqual([
      `built from v1 with MODE=from-app-env DATABASE_URL=from-the-run-env in ${dir}`,
      `built from v2 with MODE=from-app-env DATABASE_URL=from-the-run-env in ${dir}`,
    ]);
    expectNothingLeftOf(third);
  });

  it("a failing command: exit 3 naming the stack file's line, the command, its exit code and output; nothing cached", async () => {
    const dir = stackDir(
      "database: none",
      `  setup:
    command: 'echo compiling; echo "error: missing semicolon" >&2; exit 4'
    files: [stack.yml]`,
    );
    const cache = tempDir("lg-setup-cache-");
    const run = await runTagged(["run", dir], { env: { LOADGATE_CACHE_DIR: cache } });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(`${join(dir, "stack.yml")}:9: app.setup failed: the command exited with code 4 after`);
    expect(run.stderr).toContain('  command: echo compiling; echo "error: missing semicolon" >&2; exit 4');
    expect(run.stderr).toMatch(/--- last lines of \S+app-setup\.log ---\ncompiling\nerror: missing semicolon\n---/);
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(run.stderr).not.toContain("bringing the stack up");
    expect(existsSync(join(cache, "setup")) ? readdirSync(join(cache, "setup")) : []).toEqual([]);
    expectNothingLeftOf(run);
  });

  it("past its timeout, or on Ctrl-C, the command and every process it started are stopped", async () => {
    const dir = stackDir("database: none", '  setup: { command: "sleep 1000 & sleep 1000", timeout: 1s }');
    const timedOut = await runTagged(["run", dir]);
    expect(timedOut.code).toBe(3);
    expect(timedOut.stderr).toContain(
      "app.setup did not finish within 1.0 s; loadgate stopped it and every process it started.",
    );
    expect(timedOut.stderr).toContain("give it a timeout: app.setup: { command: …, timeout: 20m }");
    expectNothingLeftOf(timedOut);

    let sent = false;
    const interrupted = await runTagged(["run", stackDir("database: none", '  setup: "sleep 1000 & sleep 1000"')], {
      onStderr: (text, pid) => {
        if (!sent && /app-setup started/.test(text)) {
          sent = true;
          process.kill(pid, "SIGINT");
        }
      },
    });
    expect(sent).toBe(true);
    expect(interrupted.code).toBe(130);
    expect(interrupted.stderr).not.toMatch(/\n\s+at /);
    expectNothingLeftOf(interrupted);
  });
});

/** Log lines and run ids of in-process bring-ups, to check that none of this test's runs left anything. */
function logSink() {
  const out: string[] = [];
  const runIds = new Set<string>();
  return {
    lines: out,
    log: (l: string) => out.push(l),
    onComponent: (c: { runId: string }) => runIds.add(c.runId),
    expectNothingLeft() {
      expect(runIds.size).toBeGreaterThan(0);
      for (const id of runIds) expect(pidsWithEnv(RUN_MARKER, id).map(commandLineOf), `run ${id}`).toEqual([]);
      for (const port of announcedPorts(out.join("\n"))) expect(listeningInodes(port).size, `port ${port}`).toBe(0);
    },
  };
}

async function prepared(dir: string) {
  const tmpDir = tempDir("lg-setup-run-");
  const plan = planRun([dir], { cwd: ROOT, env: process.env, isTTY: false }, "test");
  const run: RunPlan = { ...plan, tmpDir };
  return { run, p: await prepareStack(run, run.stacks[0], () => {}), tmpDir };
}

const rejection = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

/** One query on the stack's database, straight to PostgreSQL (its URL with the run's password). */
function query(url: string, sql: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("psql", ["-X", "-Atq", url, "-c", sql], {
      env: { PATH: "/usr/bin:/bin" },
    });
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`psql exited ${code}`))));
  });
}

describe("database.setup: migrations between the schema and the seed", () => {
  const SEED = `do $$ begin
  if (select count(*) from t) <> 2 then raise exception 'database.setup did not run before the seed'; end if;
end $$;
insert into t select g, 'seed' from generate_series(3, 100) g;
`;

  it("run in order on PostgreSQL itself with {database_url}, DATABASE_URL and app.env, once into the seeded template", async () => {
    const dir = stackDir(
      `database:
  schema: schema.sql
  setup:
    - psql "{database_url}" -v ON_ERROR_STOP=1 -qc "insert into t values (1, inet_server_port()::text)"
    - { command: 'psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -qc "insert into t values (2, ''$MODE'')"', timeout: 30s }
  seed: seed.sql`,
      '  env: { DATABASE_URL: "{database_url}", MODE: from-app-env }',
      { "schema.sql": "create table t (a int primary key, b text);\n", "seed.sql": SEED },
    );
    // PgBouncer in front, so that "PostgreSQL itself" is a real choice.
    writeFileSync(
      join(dir, "stack.yml"),
      readFileSync(join(dir, "stack.yml"), "utf8").replace(
        "pooler: none",
        "pooler: { pgbouncer: { default_pool_size: 2 } }",
      ),
    );
    const { run, p } = await prepared(dir);
    const out = logSink();
    const template = await seedTemplate(run, p, { log: out.log, onComponent: out.onComponent });
    cleanups.push(() => template.dispose());
    const seeding = out.lines.join("\n");
    expect(seeding).toMatch(
      /database\.schema: [\s\S]*database\.setup\[0\]: [\s\S]*database\.setup\[1\]: [\s\S]*database\.seed: /,
    );
    const seedPort = /postgres started: pid \d+, port (\d+)/.exec(seeding)?.[1];

    const from = out.lines.length;
    const stack = await startStack(run, p, {
      log: out.log,
      onComponent: out.onComponent,
      databaseTemplate: template.dir,
    });
    cleanups.push(() => stack.down());
    const restart = out.lines.slice(from).join("\n");
    expect(restart).toContain("no schema, setup, seed or ANALYZE");
    expect(restart).not.toContain("database.setup");
    // The first command reached PostgreSQL's own port, not PgBouncer's (which was not up yet).
    expect(await query(stack.database!.postgresUrl, "select b from t where a in (1, 2) order by a")).toBe(
      `${seedPort}\nfrom-app-env`,
    );
    expect(await query(stack.database!.postgresUrl, "select count(*) from t")).toBe("100");
    await stack.down();
    template.dispose();
    out.expectNothingLeft();
  });

  it("a failing command: exit 3 with the stack file's line, the command, its exit code and output; nothing left", async () => {
    const dir = stackDir(
      `database:
  schema: schema.sql
  setup:
    - psql "{database_url}" -qc "select 1"
    - >-
      echo "Applying shop.0002_orders..."; echo "django.db.utils.ProgrammingError: relation \\"shop_order\\" does not exist" >&2; exit 5
  seed: seed.sql`,
      "",
      { "schema.sql": "create table t (a int primary key, b text);\n", "seed.sql": SEED },
    );
    const run = await runTagged(["run", dir]);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(
      `${join(dir, "stack.yml")}:6: database.setup[1] failed: the command exited with code 5 after`,
    );
    expect(run.stderr).toContain('  command: echo "Applying shop.0002_orders..."');
    expect(run.stderr).toMatch(
      /--- last lines of \S+database-setup-2\.log ---\nApplying shop\.0002_orders\.\.\.\ndjango\.db\.utils\.ProgrammingError: relation "shop_order" does not exist\n---/,
    );
    expect(run.stderr).not.toContain("database.seed:");
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(announcedPorts(run.stderr).length).toBeGreaterThan(0); // PostgreSQL was up, and is gone again
    expectNothingLeftOf(run);

    // Seeding a template (what A/B restarts use) fails the same way and leaves nothing either.
    const { run: plan, p, tmpDir } = await prepared(dir);
    const out = logSink();
    const err = await rejection(seedTemplate(plan, p, { log: out.log, onComponent: out.onComponent }));
    expect(err).toBeInstanceOf(StackError);
    expect(exitCodeOf(err)).toBe(3);
    expect((err as Error).message).toContain("database.setup[1] failed: the command exited with code 5");
    out.expectNothingLeft();
    expect(readdirSync(tmpDir)).toEqual([]);
  });
});
