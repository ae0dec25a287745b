import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { tempDir } from "../support/temp.js";
import { CLI, type CliRun, expectNothingLeftOf, ROOT, runTagged } from "./helpers.js";

// The built-in stacks that are not Python servers of the study: a Node service built by app.setup
// (npm ci), and a Django app whose schema comes from its own migrations (database.setup). Both answer
// the study's GET /test on the study's data, on real PostgreSQL, PgBouncer and nginx.

const STUDY_ANSWER = /^\{"a": "\d{10}", "b": "[A-Za-z]{20}"\}$/;
const cleanups: (() => void)[] = [];
afterAll(() => {
  for (const c of cleanups) c();
});

/** One query on `url` (the database URL `loadgate up` printed, with the run's password). */
function query(url: string, sql: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("psql", ["-X", "-Atq", url, "-c", sql], { env: { PATH: "/usr/bin:/bin" } });
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`psql exited ${code}`))));
  });
}

/**
 * `loadgate up <stack> --install`: resolves once it prints "ready <url>" with the URL and its log so
 * far, and a stop() (Ctrl-C) that resolves with the whole run.
 */
function up(
  stack: string,
): Promise<{ url: string; stdout: () => string; stderr: () => string; stop: () => Promise<CliRun & { tag: string }> }> {
  const tag = randomBytes(6).toString("hex");
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, "up", stack, "--install"], {
      cwd: ROOT,
      env: { ...process.env, LOADGATE_TEST_TAG: tag },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    const closed = new Promise<CliRun & { tag: string }>((r) =>
      child.on("close", (code) => r({ code, stdout, stderr, tag })),
    );
    const timer = setTimeout(() => child.kill("SIGKILL"), 600_000);
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.stdout.on("data", (d) => {
      stdout += d;
      const m = /ready (\S+)/.exec(stdout);
      if (m) {
        resolve({
          url: m[1],
          stdout: () => stdout,
          stderr: () => stderr,
          stop: () => {
            child.kill("SIGINT");
            return closed.finally(() => clearTimeout(timer));
          },
        });
      }
    });
    void closed.then((run) => reject(new Error(`loadgate up exited with ${run.code}:\n${run.stderr.slice(-3000)}`)));
  });
}

describe("built-in stack fastify-pg: Node.js, installed by app.setup", () => {
  it("npm ci runs before the stack comes up, and the stack serves the study's answer under load", async () => {
    // A fresh cache: nothing records an earlier npm ci, so the setup runs (the cache itself is tested
    // on a small stack in setup.test.ts).
    const cache = tempDir("lg-fastify-cache-");
    cleanups.push(() => rmSync(cache, { recursive: true, force: true }));
    const out = join(cache, "out.json");
    const run = await runTagged(
      ["run", "stacks/fastify-pg", "--warmup", "0.5", "--duration", "1.5", "--trials", "1", "--json", out],
      { env: { LOADGATE_CACHE_DIR: cache }, timeoutMs: 300_000 },
    );
    expect(run.code, run.stderr.slice(-3000)).toBe(0);
    expect(run.stderr).toContain("[fastify-pg] app.setup: running (no earlier success for this folder and command)");
    expect(run.stderr).toMatch(/app\.setup: npm ci --omit=dev --no-audit --no-fund \(in \S+stacks\/fastify-pg\)/);
    expect(run.stderr.indexOf("app.setup took")).toBeLessThan(run.stderr.indexOf("bringing the stack up"));
    expect(existsSync(join(ROOT, "stacks/fastify-pg/node_modules/fastify/package.json"))).toBe(true);
    const r = JSON.parse(readFileSync(out, "utf8")).results[0];
    expect(r.stack).toMatchObject({ name: "fastify-pg", webserver: "Node.js (cluster)", framework: "Fastify" });
    expect(r.workers).toBe(2);
    expect(r.trials[0].requests).toBeGreaterThan(100);
    expect(r.summary.errors).toBe(0); // every response 2xx
    expect(r.cpu.seconds.app).toBeGreaterThan(0);
    expectNothingLeftOf(run);
  }, 300_000);
});

describe("built-in stack django: the schema from Django's migrations", () => {
  it("manage.py migrate makes the table the seed fills, and the app serves the study's answer", async () => {
    const stack = await up("stacks/django");
    let stopped: (CliRun & { tag: string }) | undefined;
    try {
      const log = stack.stderr();
      expect(log).toMatch(/database\.setup: python manage\.py migrate --noinput \(in \S+stacks\/django\)/);
      expect(log).not.toContain("database.schema");
      expect(log.indexOf("database.setup took")).toBeLessThan(log.indexOf("database.seed:"));
      // Straight to PostgreSQL: the printed URL (PgBouncer's) on PostgreSQL's port.
      const port = Number(/postgres started: pid \d+, port (\d+)/.exec(log)?.[1]);
      const db = /^database (\S+)/m.exec(stack.stdout())![1].replace(/:\d+\//, `:${port}/`);
      expect(await query(db, "select app || '.' || name from django_migrations")).toBe("study.0001_initial");
      expect(
        await query(
          db,
          "select string_agg(column_name || ' ' || data_type, ', ' order by ordinal_position) from information_schema.columns where table_name = 'test'",
        ),
      ).toBe("a integer, b text");
      expect(await query(db, "select count(*) from test")).toBe("1000000");
      for (let i = 0; i < 20; i++) {
        const res = await fetch(stack.url);
        const body = await res.text();
        expect(res.status).toBe(200);
        expect(body).toMatch(STUDY_ANSWER);
        expect(Buffer.byteLength(body)).toBe(48);
      }
    } finally {
      stopped = await stack.stop();
    }
    expect(stopped.code, stopped.stderr.slice(-2000)).toBe(0);
    expectNothingLeftOf(stopped);
  }, 600_000);
});
