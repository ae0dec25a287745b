import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { planRun } from "../../src/config/cli-plan.js";
import type { RunPlan } from "../../src/config/plan.js";
import { prepareStack, seedTemplate, startStack } from "../../src/engine/prepare.js";
import { unprivilegedUser } from "../../src/stack/run-user.js";
import { announcedPorts, CLI, type CliRun, expectNothingLeftOf, ROOT, runTagged } from "./helpers.js";

// What the stack lets in while it runs (issue 26): PostgreSQL and PgBouncer ask every TCP client for
// the run's password, the app's role is no superuser, and root (these tests run as root) follows no
// link planted in the run folder.

const TINY = join(ROOT, "test/fixtures/tiny");
const cleanups: (() => void)[] = [];
afterAll(() => {
  for (const c of cleanups.reverse()) c();
});

/** A folder for run folders that the unprivileged user can reach (else the run moves to /tmp). */
function runRoot(): string {
  const dir = mkdtempSync(join(tmpdir(), "lg-isolation-"));
  chmodSync(dir, 0o755);
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** psql as `user` (through runuser when it is not us), with `env` added; resolves with its exit code and output. */
function psqlAs(user: string | undefined, args: string[], env: Record<string, string> = {}): CliRun {
  const psql = ["psql", "-X", "-Atq", "-w", "-v", "ON_ERROR_STOP=1", ...args];
  const [command, argv] = user ? ["runuser", ["-u", user, "--", ...psql]] : [psql[0], psql.slice(1)];
  const r = spawnSync(command, argv, {
    cwd: "/",
    env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", PGCONNECT_TIMEOUT: "5", ...env },
    encoding: "utf8",
    timeout: 20_000,
  });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout.trim(), stderr: r.stderr.trim() };
}

/** Runs `sql` on `url` as `user`. */
const onUrl = (user: string | undefined, url: string, sql: string) => psqlAs(user, [url, "-c", sql]);

/** A TCP login without a password: `-h 127.0.0.1 -p port -U role`. */
const noPassword = (user: string, port: number, role: string, db = "loadgate") =>
  psqlAs(user, ["-h", "127.0.0.1", "-p", String(port), "-U", role, "-d", db, "-c", "select 1"]);

/** `loadgate up <stack>` with run folders under `root`: resolves on "ready" with the database URL and stderr. */
function up(stack: string, root: string): Promise<{ child: ChildProcess; database: string; stderr: () => string }> {
  const tag = randomBytes(6).toString("hex");
  const child = spawn(process.execPath, [CLI, "up", stack], {
    cwd: ROOT,
    env: { ...process.env, RUNNER_TEMP: root, TMPDIR: root, LOADGATE_TEST_TAG: tag },
    stdio: ["ignore", "pipe", "pipe"],
  });
  cleanups.push(() => child.kill("SIGKILL"));
  let stdout = "";
  let stderr = "";
  child.stderr!.on("data", (d) => {
    stderr += d;
  });
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (d) => {
      stdout += d;
      if (/^ready \S+/m.test(stdout))
        resolve({ child, database: /^database (\S+)/m.exec(stdout)?.[1] ?? "", stderr: () => stderr });
    });
    child.on("close", (code) => reject(new Error(`loadgate up exited with ${code}:\n${stderr.slice(-3000)}`)));
  });
}

/** Ctrl-C, and the exit code once it is down. */
function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.once("close", (code) => resolve(code));
    child.kill("SIGINT");
  });
}

const portOf = (stderr: string, name: string) =>
  Number(new RegExp(`${name} started: pid \\d+, port (\\d+)`).exec(stderr)?.[1]);
const withPort = (url: string, port: number) => url.replace(/:\d+\//, `:${port}/`);

describe("the database lets in only who has the run's password", () => {
  it("PostgreSQL and PgBouncer refuse another local user without it and take the {database_url} password; the app role is no superuser", async () => {
    const root = runRoot();
    const stack = await up(TINY, root);
    try {
      const log = stack.stderr();
      const pg = portOf(log, "postgres");
      const pgb = portOf(log, "pgbouncer");
      // The app's URL: PgBouncer's, with the app role's password.
      expect(stack.database).toMatch(
        new RegExp(`^postgresql://loadgate:[0-9a-f]{32}@127\\.0\\.0\\.1:${pgb}/loadgate$`),
      );
      const direct = withPort(stack.database, pg);

      for (const [port, role] of [
        [pg, "loadgate"],
        [pg, "loadgate_admin"],
        [pgb, "loadgate"],
        [pgb, "loadgate_admin"],
      ] as const) {
        const r = noPassword("nobody", port, role);
        expect(r.code, `${role} on port ${port} without a password: ${r.stdout}`).not.toBe(0);
        expect(r.stderr).toMatch(/password|authentication failed/);
      }
      // PgBouncer's console is not open either.
      expect(noPassword("nobody", pgb, "loadgate_admin", "pgbouncer").code).not.toBe(0);
      // A wrong password is refused too.
      const wrong = onUrl("nobody", stack.database.replace(/:[0-9a-f]{32}@/, `:${"0".repeat(32)}@`), "select 1");
      expect(wrong.code).not.toBe(0);
      expect(wrong.stderr).toMatch(/password authentication failed|SASL authentication failed/);

      // With the password: both PgBouncer and PostgreSQL let the other user in, as the app role.
      expect(onUrl("nobody", stack.database, "select count(*) from t")).toMatchObject({ code: 0, stdout: "1000" });
      expect(onUrl("nobody", direct, "select current_user")).toMatchObject({ code: 0, stdout: "loadgate" });

      // The app role owns what the schema made, and is no superuser: COPY … TO PROGRAM is refused.
      expect(onUrl(undefined, direct, "select tableowner from pg_tables where tablename = 't'").stdout).toBe(
        "loadgate",
      );
      expect(onUrl(undefined, direct, "select rolsuper from pg_roles where rolname = current_user").stdout).toBe("f");
      const marker = join(root, "copied-by-postgres");
      for (const url of [direct, stack.database]) {
        const copy = onUrl(undefined, url, `copy (select 1) to program 'touch ${marker}'`);
        expect(copy.code).not.toBe(0);
        expect(copy.stderr).toMatch(/permission denied|must be superuser|pg_execute_server_program/);
      }
      expect(() => statSync(marker)).toThrow();

      // The Unix socket (loadgate_admin, no password) sits in a 0700 folder of the server's user.
      const runDir = join(root, readdirSync(root).find((e) => e.startsWith("loadgate-tiny-"))!);
      const pgDir = join(runDir, "pg");
      expect(statSync(pgDir).mode & 0o777).toBe(0o700);
      const user = unprivilegedUser();
      if (user) {
        expect(statSync(pgDir).uid).toBe(user.uid);
        expect(statSync(runDir).uid, "the run folder stays root's").toBe(0);
        if (user.name !== "nobody") {
          const socket = psqlAs("nobody", [
            "-h",
            pgDir,
            "-p",
            String(pg),
            "-U",
            "loadgate_admin",
            "-d",
            "loadgate",
            "-c",
            "select 1",
          ]);
          expect(socket.code).not.toBe(0);
        }
      }
      // PgBouncer's auth_file: only PgBouncer's user reads it.
      const auth = statSync(join(runDir, "pgbouncer", "users.txt"));
      expect(auth.mode & 0o777).toBe(0o600);
      if (user) expect(auth.uid).toBe(user.uid);
    } finally {
      expect(await stop(stack.child)).toBe(0);
    }
  }, 120_000);
});

describe("a restart from the seeded template", () => {
  it("sets a new password: each copy takes its own, not the template's or another copy's", async () => {
    const root = runRoot();
    const plan = planRun([TINY], { cwd: ROOT, env: process.env, isTTY: false }, "test");
    const run: RunPlan = { ...plan, tmpDir: root };
    const p = await prepareStack(run, run.stacks[0], () => {});
    const lines: string[] = [];
    const log = (l: string) => lines.push(l);
    const template = await seedTemplate(run, p, { log });
    cleanups.push(() => template.dispose());
    const a = await startStack(run, p, { log, databaseTemplate: template.dir });
    try {
      const b = await startStack(run, p, { log, databaseTemplate: template.dir });
      try {
        const [ua, ub] = [a.database!.postgresUrl, b.database!.postgresUrl];
        expect(ua).not.toBe(ub);
        for (const url of [ua, ub, a.database!.url, b.database!.url])
          expect(onUrl("nobody", url, "select count(*) from t")).toMatchObject({ code: 0, stdout: "1000" });
        // a's password on b's PostgreSQL: refused.
        const crossed = onUrl("nobody", withPort(ua, b.ports.postgres), "select 1");
        expect(crossed.code).not.toBe(0);
        expect(crossed.stderr).toMatch(/password authentication failed/);
      } finally {
        await b.down();
      }
    } finally {
      await a.down();
    }
    template.dispose();
  }, 120_000);
});

/** A root-owned folder with a file in it, and how it looks, to check nothing changed it. */
function rootOwnedTarget(root: string, name: string) {
  const dir = join(root, name);
  mkdirSync(dir, { mode: 0o700 });
  chmodSync(dir, 0o700);
  writeFileSync(join(dir, "keep.txt"), "root's own\n", { mode: 0o600 });
  const look = () => {
    const st = lstatSync(dir);
    return {
      uid: st.uid,
      gid: st.gid,
      mode: st.mode & 0o7777,
      entries: readdirSync(dir).sort(),
      keep: readFileSync(join(dir, "keep.txt"), "utf8"),
    };
  };
  return { dir, file: join(dir, "keep.txt"), before: look(), look };
}

describe("root follows no link planted in the run folder", () => {
  // The link goes in as soon as the component before it has started (its "started" line), i.e.
  // before loadgate makes the part of the run folder the next one uses.
  it.each([
    ["pgbouncer", "postgres", "pgbouncer", "dir"],
    ["nginx", "app", "nginx", "dir"],
    ["app's log", "pgbouncer", "app.log", "file"],
    ["nginx's log", "app", "nginx.log", "file"],
  ] as const)(
    "<run>/%s as a link to a root-owned place: not followed, the run fails and says so",
    async (_what, after, entry, kind) => {
      const root = runRoot();
      const target = rootOwnedTarget(mkdtempSync(join(tmpdir(), "lg-target-")), "target");
      cleanups.push(() => rmSync(join(target.dir, ".."), { recursive: true, force: true }));
      let planted = "";
      const run = await runTagged(["run", TINY, "--warmup", "0.2", "--duration", "0.5", "--trials", "1"], {
        env: { RUNNER_TEMP: root, TMPDIR: root },
        onStderr: (text) => {
          if (planted || !new RegExp(`\\] ${after} started: pid`).test(text)) return;
          const runDir = readdirSync(root).find((e) => e.startsWith("loadgate-tiny-"));
          if (!runDir) return;
          planted = join(root, runDir, entry);
          symlinkSync(kind === "dir" ? target.dir : target.file, planted);
        },
      });
      expect(planted, run.stderr.slice(-2000)).not.toBe("");
      expect(target.look(), "the link's target is unchanged").toEqual(target.before);
      expect(run.code, run.stderr.slice(-2000)).toBe(3);
      expect(run.stderr).toContain(`${planted} already exists in the run folder, and loadgate made no such entry`);
      expect(run.stderr).toContain("loadgate does not follow or reuse it");
      expectNothingLeftOf(run);
      expect(announcedPorts(run.stderr).length).toBeGreaterThan(0);
    },
    120_000,
  );
});
