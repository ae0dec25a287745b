// The cost run against real parts: PostgreSQL, PgBouncer, nginx and the tiny app under valgrind.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ResultDocument } from "../../src/result/types.js";
import { tempDir } from "../support/temp.js";
import { scratchRepo } from "./git-repo.js";
import { expectNothingLeft, ROOT, runCli, TINY_APP } from "./helpers.js";

/** The tiny fixture's full chain with a shorter count: 3 × 40 requests after 40. */
const SHORT_COST = "cost:\n  warmup: 40\n  chunks: 4\n  chunk-requests: 40\n";

function fullChain(ready = "/test"): string {
  const dir = tempDir("lg-cost-stack-");
  const fixture = readFileSync(join(ROOT, "test/fixtures/tiny/stack.yml"), "utf8")
    .replace("schema: schema.sql", `schema: ${join(ROOT, "test/fixtures/tiny/schema.sql")}`)
    .replace("command: python3 app.py {port}", `command: python3 ${TINY_APP} {port}`)
    .replace("ready: { http: /test", `ready: { http: ${ready}`);
  writeFileSync(join(dir, "stack.yml"), `${fixture}${SHORT_COST}`);
  return dir;
}

const costOf = (file: string) => (JSON.parse(readFileSync(file, "utf8")) as ResultDocument).results[0].cost!;

describe("loadgate cost", () => {
  it("counts the app's instructions per request (run --cost: beside the timed trials), repeatably, nothing left behind", async () => {
    const stack = fullChain();
    const out = tempDir("lg-cost-out-");
    // run --cost: the timed trials and the cost run in one Result, saved as the baseline.
    const first = await runCli([
      "run",
      stack,
      "--cost",
      "--duration",
      "1",
      "--warmup",
      "0.5",
      "--json",
      join(out, "a.json"),
      "--save-baseline",
      join(out, "b.json"),
    ]);
    expect(first.code, first.stderr).toBe(0);
    expectNothingLeft(first);
    expect(first.stdout).toMatch(/P99 \(ms\)/);
    expect(first.stdout).toMatch(/App instructions per request/);
    const doc = JSON.parse(readFileSync(join(out, "a.json"), "utf8")) as ResultDocument;
    expect(doc.results[0].trials.length).toBe(2);
    const a = costOf(join(out, "a.json"));
    expect(a.chunks).toHaveLength(4);
    expect(a.chunkRequests).toBe(40);
    expect(a.perRequest).toBeGreaterThan(10_000);
    expect(a.processes.length).toBeGreaterThanOrEqual(1);
    expect(a.fingerprint.valgrind).toMatch(/^valgrind-3\./);
    // loadgate cost on a fresh stack again: within the default limit of the first (the A/A spread is
    // far smaller). A regression of the count is ab --cost's test below, and the Action's.
    const second = await runCli(["cost", stack, "--json", join(out, "c.json"), "--baseline", join(out, "b.json")]);
    expect(second.code, second.stderr).toBe(0);
    const c = costOf(join(out, "c.json"));
    expect(Math.abs(c.perRequest / a.perRequest - 1)).toBeLessThan(0.01);
    expect(second.stdout).toMatch(/App instructions per request .* pass/);
    expectNothingLeft(second);
  }, 240_000);

  it("without valgrind: one clear error naming it and the install command, exit 2", async () => {
    // PostgreSQL, PgBouncer and nginx are found; valgrind (in /usr/bin) is not.
    const pg = readdirSync("/usr/lib/postgresql").map((v) => `/usr/lib/postgresql/${v}/bin`);
    const run = await runCli(["cost", fullChain()], {
      env: { LOADGATE_BIN_PATH: ["/usr/sbin", ...pg].join(":") },
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("Not installed: valgrind (valgrind and vgdb, for the cost run)");
    expect(run.stderr).toMatch(/apt-get install -y valgrind/);
    expect(run.stderr).toContain("--install");
  });

  it("refuses the flags of timed runs, naming the flag", async () => {
    const run = await runCli(["cost", fullChain(), "--duration", "5"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/loadgate cost: --duration is a flag of timed runs/);
  });

  it("an app that answers 500 fails the cost run (exit 3) with its log tail, and leaves nothing", async () => {
    const run = await runCli(["cost", fullChain("/health")], {
      env: { TINY_MODE: "error-500" },
    });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/cost run: GET \/test \(request 1\) answered 500/);
    expect(run.stderr).toMatch(/ERROR handling request 1/);
    expectNothingLeft(run);
  }, 120_000);

  it("Ctrl-C during the count stops the stack and valgrind", async () => {
    let sent = false;
    const run = await runCli(["cost", fullChain()], {
      onStderr: (text, pid) => {
        if (!sent && /cost chunk 1\//.test(text)) {
          sent = true;
          process.kill(pid, "SIGINT");
        }
      },
    });
    expect(sent).toBe(true);
    expect(run.code).toBe(130);
    expectNothingLeft(run);
  }, 120_000);
});

describe("ab --cost", () => {
  it("ab --cost: both sides counted; extra work in the head is a cost regression (exit 1)", async () => {
    const { repo, git } = scratchRepo("lg-ab-cost-");
    const stack = (loops: number) => `name: shop
database: none
pooler: none
proxy: none
app:
  command: python3 ${TINY_APP} {port}
  env: { TINY_WORK_LOOPS: "${loops}" }
  ready: { http: /test, timeout: 5s }
load:
  connections: 4
  warmup: 0.3s
  duration: 0.5s
${SHORT_COST}gate:
  cost: "+1%"
`;
    writeFileSync(join(repo, "stack.yml"), stack(0));
    git("add", ".");
    git("commit", "-q", "-m", "base");
    writeFileSync(join(repo, "stack.yml"), stack(60));
    git("commit", "-q", "-am", "more work");
    const out = join(repo, "ab.json");
    const run = await runCli(
      ["ab", "HEAD~1", "HEAD", "stack.yml", "--min-pairs", "2", "--max-pairs", "2", "--json", out],
      { cwd: repo },
    );
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/App instructions per request .* regression/);
    const doc = JSON.parse(readFileSync(out, "utf8")) as ResultDocument;
    const report = doc.reports![0];
    expect(report.baseline?.cost?.perRequest).toBeGreaterThan(10_000);
    expect(doc.results[0].cost!.perRequest).toBeGreaterThan(report.baseline!.cost!.perRequest * 1.02);
    expectNothingLeft(run);
  }, 200_000);
});
