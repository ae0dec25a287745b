import { spawn } from "node:child_process";
import { chmodSync, existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../support/temp.js";
import { bareStack, CLI, expectNothingLeft, ROOT, runCli, tinyStack } from "./helpers.js";

describe("faults: a clear message, the contract's exit code, nothing left behind", () => {
  it("an app that exits at start: exit 3 with its name, exit code and log", async () => {
    const run = await runCli(["run", tinyStack(bareStack())], { env: { TINY_MODE: "exit" } });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain("app exited with code 3 before it was ready");
    expect(run.stderr).toContain("ModuleNotFoundError: No module named 'missing_module'");
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expectNothingLeft(run);
  });

  it("an app that never becomes ready: exit 3 after the ready timeout, and it is stopped", async () => {
    const run = await runCli(["run", tinyStack(bareStack())], { env: { TINY_MODE: "never-ready" } });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain("app did not become ready (HTTP 2xx on /test) within 4 s");
    expectNothingLeft(run);
  });

  it("an app that dies during the load: exit 3 naming it", async () => {
    const run = await runCli(["run", tinyStack(bareStack()), "--duration", "3", "--trials", "2"], {
      env: { TINY_MODE: "die-after", TINY_DIE_AFTER: "2" },
    });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain("app exited with code 7 during the load");
    expectNothingLeft(run);
  });

  it("a child that escapes its process group and holds the port: reported as an orphan, killed, exit 3", async () => {
    const run = await runCli(["run", tinyStack(bareStack())], { env: { TINY_MODE: "orphan" } });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain("outlived their component's process group");
    expect(run.stderr).toMatch(/pid \d+ \(held port \d+\): .*app\.py/);
    expectNothingLeft(run);
  });

  it("missing binaries: one error listing them all with the install command, exit 2", async () => {
    const run = await runCli(["run", join(ROOT, "test/fixtures/tiny")], { env: { LOADGATE_BIN_PATH: "/nonexistent" } });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("Not installed: PostgreSQL (initdb, postgres), pgbouncer, nginx-light");
    expect(run.stderr).toMatch(/apt-get install -y postgresql pgbouncer nginx-light/);
    expect(run.stderr).toContain("--install");
  });

  it("a missing stack file, malformed YAML, and an unknown key: exit 2 with file and line", async () => {
    const missing = await runCli(["run", "/nonexistent/stack"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("/nonexistent/stack: no such file or folder");

    const dir = tempDir("lg-bad-");
    writeFileSync(join(dir, "stack.yml"), "name: bad\napp:\n  command: x\n  workers: [1\n");
    const malformed = await runCli(["run", dir]);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(/stack\.yml:\d+:\d+: YAML syntax error/);

    const typo = await runCli(["run", tinyStack(bareStack("gate:\n  p99: '+10%'\n  throughput: '-5%'\n  p50: x\n"))]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/stack\.yml:17:3: /);
    expect(typo.stderr).toContain('gate.p50: unknown key "p50"');
    expect(typo.stderr).toContain('Did you mean "p99"?');
  });

  it("a missing requirements file, and a Python environment not yet installed: exit 2 saying what to run", async () => {
    const dir = tinyStack((app) =>
      bareStack()(app).replace("  ready:", "  python: { requirements: requirements.txt }\n  ready:"),
    );
    const missingReq = await runCli(["run", dir]);
    expect(missingReq.code).toBe(2);
    expect(missingReq.stderr).toMatch(/app\.python\.requirements: requirements file "requirements.txt" not found/);

    writeFileSync(join(dir, "requirements.txt"), "# nothing pinned\n");
    const cache = tempDir("lg-cache-");
    const notInstalled = await runCli(["run", dir], { env: { LOADGATE_CACHE_DIR: cache } });
    expect(notInstalled.code).toBe(2);
    expect(notInstalled.stderr).toContain("is not installed yet. Run again with --install");
  });

  it("bad flags: exit 2 naming the flag and the value", async () => {
    const run = await runCli(["run", join(ROOT, "test/fixtures/tiny"), "--trials", "zero"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--trials: expected a whole number from 1 to 1000, got "zero"');
    const unknown = await runCli(["run", "--frobnicate"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown option '--frobnicate'/);
  });

  it("the reader of its output going away (a closed pipe) does not strand the stack", async () => {
    const child = spawn(
      process.execPath,
      [CLI, "run", join(ROOT, "test/fixtures/tiny"), "--duration", "2", "--trials", "1"],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let seen = "";
    await new Promise<void>((resolve) => {
      child.stderr.on("data", (d) => {
        seen += d;
        if (/trial 1|warmup/.test(seen)) {
          child.stdout.destroy();
          child.stderr.destroy();
          resolve();
        }
      });
    });
    const code = await new Promise((resolve) => child.on("close", resolve));
    expect(code).toBe(0);
    expectNothingLeft({ code: 0, stdout: "", stderr: seen });
  });

  it("Ctrl-C during the load stops every component and exits 130", async () => {
    let sent = false;
    const run = await runCli(["run", join(ROOT, "test/fixtures/tiny"), "--duration", "20", "--trials", "1"], {
      onStderr: (text, pid) => {
        if (!sent && /trial 1/.test(text)) {
          sent = true;
          process.kill(pid, "SIGINT");
        }
      },
    });
    expect(sent).toBe(true);
    expect(run.code).toBe(130);
    expect(run.stderr).toContain("SIGINT received, stopping the stack");
    expectNothingLeft(run);
  });

  it.each([2, 3])(
    "SIGTERM %i times in a row mid-run (a cancelled job): the stack is still stopped, exit 130, no run folder left",
    async (times) => {
      const temp = tempDir("lg-sigterm-");
      chmodSync(temp, 0o755);
      let sent = false;
      const started = Date.now();
      const saved = join(tempDir("lg-sigterm-out-"), "baseline.json");
      const args = ["run", join(ROOT, "test/fixtures/tiny"), "--duration", "20", "--trials", "1"];
      const run = await runCli([...args, "--save-baseline", saved], {
        env: { RUNNER_TEMP: temp },
        onStderr: (text, pid) => {
          if (!sent && /trial 1/.test(text)) {
            sent = true;
            // Standard signals are not queued: space them so each is delivered.
            for (let i = 0; i < times; i++) setTimeout(() => process.kill(pid, "SIGTERM"), i * 40);
          }
        },
      });
      expect(sent).toBe(true);
      expect(run.code).toBe(130);
      expect(Date.now() - started).toBeLessThan(60_000);
      expect(run.stderr).toContain("SIGTERM received, stopping the stack");
      expect(run.stderr).not.toMatch(/^\s+at /m); // no stack trace for an interruption
      if (times === 3) {
        expect(run.stderr).toMatch(/SIGTERM again: killed \d+ /);
        expect(run.stderr).toContain("process(es) of the stack at once");
      } else expect(run.stderr).toContain("SIGTERM received again: still stopping the stack");
      expectNothingLeft(run);
      expect(
        readdirSync(temp).filter((d) => d.startsWith("loadgate-")),
        run.stderr,
      ).toEqual([]);
      expect(existsSync(saved)).toBe(false); // no baseline written
    },
  );
});
