// The study's rows on real parts. All thirteen with their first installs do not fit CI's budget
// (uWSGI and meinheld build from source), so CI runs a representative few: uWSGI speaking its own
// protocol to nginx, and meinheld installed without its dependency pins (an async row:
// builtin-stacks.test.ts runs uvicorn-starlette); bench/study-smoke.mjs runs every row, gevent with
// psycogreen among them, the same way.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../support/temp.js";
import { CLI, expectNothingLeft, ROOT, runCli } from "./helpers.js";

/** `loadgate up <stack>`, one GET of its URL, Ctrl-C: the answer and everything the run printed. */
function upAndAsk(stack: string): Promise<{ code: number | null; body: string; status: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, "up", `stacks/${stack}`, "--install"], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let stderr = "";
    let body = "";
    let status = 0;
    const timer = setTimeout(() => child.kill("SIGKILL"), 600_000);
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.stdout.on("data", async (d) => {
      out += d;
      const m = /ready (\S+)/.exec(out);
      if (m && status === 0) {
        status = -1;
        try {
          const res = await fetch(m[1]);
          status = res.status;
          body = await res.text();
        } catch (err) {
          reject(err);
        }
        child.kill("SIGINT");
      }
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, body, status, stderr });
    });
  });
}

// {"a": "<a zero-padded to 10 digits>", "b": "<20 letters>"}: 48 bytes.
const STUDY_ANSWER = /^\{"a": "\d{10}", "b": "[A-Za-z]{20}"\}$/;

describe.each(["uwsgi-uwsgi-bottle", "gunicorn-meinheld-falcon"])("study row %s", (stack) => {
  it("comes up, answers the study's JSON for a random row, and goes down with nothing left", async () => {
    const r = await upAndAsk(stack);
    expect(r.status, r.stderr.slice(-3000)).toBe(200);
    expect(r.body).toMatch(STUDY_ANSWER);
    expect(Buffer.byteLength(r.body)).toBe(48);
    expect(r.code).toBe(0); // up stops on Ctrl-C and exits 0
    expectNothingLeft({ code: r.code, stdout: "", stderr: r.stderr });
  }, 900_000);
});

describe("loadgate study", () => {
  it("prints the published and the measured tables at a tiny budget, and writes Markdown", async () => {
    const md = join(tempDir("lg-study-"), "study.md");
    const run = await runCli(
      [
        "study",
        "gunicorn-flask",
        "uvicorn-starlette",
        "--install",
        "--warmup",
        "0.5",
        "--duration",
        "1",
        "--trials",
        "1",
        "--markdown",
        md,
      ],
      { timeoutMs: 600_000 },
    );
    expect(run.code, run.stderr.slice(-3000)).toBe(0);
    expect(run.stderr).toMatch(/\[1\/2\] gunicorn-flask: measuring/);
    expect(run.stdout).toMatch(/Workers \(4 vCPU\)\s+P50 \(ms\)\s+P99 \(ms\)\s+req\/s\s+Workers \(\d+ CPU\)/);
    // Published figures of both rows are printed beside the measured ones.
    expect(run.stdout).toMatch(/Gunicorn\s+Flask\s+14\s+28\s+42\s+3473\s+7\s+[\d.]+\s+[\d.]+\s+\d+/);
    expect(run.stdout).toMatch(/Uvicorn\s+Starlette\s+5\s+16\s+75\s+4952\s+2\s+[\d.]+\s+[\d.]+\s+\d+/);
    expect(run.stdout).toMatch(/^ρ of the P99 order \(Spearman, published against measured, 2 rows\): /m);
    expect(run.stdout).toMatch(/^ρ of the throughput order \(Spearman, published against measured, 2 rows\): /m);
    const text = readFileSync(md, "utf8");
    expect(text).toMatch(/\| Gunicorn +\| Flask +\| +14 \| +28 \| +42 \| +3473 \|/);
    expect(text).toContain("Published: the study's 4 vCPU");
    expect(text).toContain("ρ of the P99 order");
    expectNothingLeft(run);
  }, 900_000);

  // The sweep's rules and driver have their own tests (sweep.test.ts); --workers 1 keeps this one cheap.
  it("--as-published: the rig's load on two rows (a small total, one worker) prints both ρ lines", async () => {
    const run = await runCli(
      [
        "study",
        "gunicorn-flask",
        "uvicorn-starlette",
        "--as-published",
        "--total-requests",
        "400",
        "--workers",
        "1",
        "--warmup",
        "0.5",
        "--install",
      ],
      { timeoutMs: 600_000 },
    );
    expect(run.code, run.stderr.slice(-3000)).toBe(0);
    expect(run.stderr).toMatch(
      /2 rows, each 100 connections, a new connection per request: 0\.5 s warmup \+ 400 requests/,
    );
    expect(run.stderr).toMatch(
      /load: 100 connections, a new connection per request → \S+; warmup 0\.5 s, 400 requests/,
    );
    expect(run.stdout).toMatch(
      /Measured: this machine, \d+ CPUs, loadgate's client, 100 connections, a new connection per request, warmup 0\.5 s \+ 400 requests in 1 trial\./,
    );
    expect(run.stdout).toMatch(/^ρ of the P99 order \(Spearman, published against measured, 2 rows\): /m);
    expect(run.stdout).toMatch(/^ρ of the throughput order \(Spearman, published against measured, 2 rows\): /m);
    expectNothingLeft(run);
  }, 900_000);

  it("names an unknown row and lists the rows, exit 2", async () => {
    const run = await runCli(["study", "gunicorn-flak"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/no row named "gunicorn-flak"\. Rows: gunicorn-meinheld-falcon, /);
  });
});
