// load.total-requests (--total-requests): the measured trials are a fixed number of requests in all,
// as ApacheBench's -n, in equal shares; each trial lasts as long as its share took.
import { writeFileSync } from "node:fs";
import { createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { planAction } from "../../src/config/action-plan.js";
import { planRun } from "../../src/config/cli-plan.js";
import type { LoadPlan } from "../../src/config/plan.js";
import { CountedTrials } from "../../src/load/counted.js";
import { runLoad } from "../../src/load/driver.js";
import { tempDir } from "../support/temp.js";
import { messageOf } from "../support/user-error.js";

const io = { cwd: tmpdir(), env: { PATH: process.env.PATH }, isTTY: false };

function stackWith(load: string): string {
  const file = join(tempDir("lg-total-"), "stack.yml");
  writeFileSync(file, `name: demo\napp:\n  command: python3 app.py {port}\n${load}`);
  return file;
}
const loadOf = (argv: string[]) => planRun(argv, io, "test").stacks[0].load;

describe("load.total-requests and --total-requests", () => {
  it("is off by default; the stack key and the flag set it, the flag over the key", () => {
    expect(loadOf([stackWith("")]).totalRequests).toBeNull();
    const file = stackWith("load:\n  total-requests: 500\n");
    expect(loadOf([file]).totalRequests).toBe(500);
    expect(loadOf([file, "--total-requests", "40"]).totalRequests).toBe(40);
  });

  it("refuses what does not go with it, naming where each came from", () => {
    const plain = stackWith("");
    expect(messageOf(() => loadOf([plain, "--total-requests", "0"]))).toBe(
      '--total-requests: expected a whole number from 1 to 100000000, got "0".',
    );
    expect(messageOf(() => loadOf([plain, "--total-requests", "100", "--rate", "50"]))).toMatch(
      /^--total-requests with --rate: trials of a fixed number of requests are closed loop/,
    );
    expect(messageOf(() => loadOf([plain, "--total-requests", "100", "--client", "autocannon"]))).toMatch(
      /^--client autocannon with --total-requests: trials of a fixed number of requests need the native client/,
    );
    expect(messageOf(() => loadOf([plain, "--total-requests", "2", "--trials", "3"]))).toBe(
      "--total-requests 2 is fewer than the 3 trials it is shared among: give at least one request per trial.",
    );
    const file = stackWith("load:\n  rate: 100\n  total-requests: 500\n");
    expect(messageOf(() => loadOf([file]))).toMatch(
      /stack\.yml:6: load\.total-requests with .*stack\.yml:4: load\.rate:/,
    );
  });
});

describe("the Action's input total-requests", () => {
  const plan = (inputs: Record<string, string>) => {
    const all: Record<string, string> = { mode: "gate", compare: "baseline", ...inputs };
    return planAction((name) => all[name] ?? "", { GITHUB_WORKSPACE: tempDir("lg-total-action-"), PATH: "" });
  };
  const stackInput = (load: string) => {
    const file = stackWith(load);
    return { stack: file };
  };

  it("reaches the stack's plan over its load.total-requests; empty keeps the stack file's", () => {
    expect(plan({ ...stackInput(""), "total-requests": "300" }).stacks[0].load.totalRequests).toBe(300);
    expect(plan(stackInput("load:\n  total-requests: 500\n")).stacks[0].load.totalRequests).toBe(500);
    expect(plan(stackInput("")).stacks[0].load.totalRequests).toBeNull();
  });

  it("is refused by name", () => {
    expect(messageOf(() => plan({ ...stackInput(""), "total-requests": "many" }))).toBe(
      'Input total-requests: expected a whole number from 1 to 100000000, got "many".',
    );
  });
});

describe("CountedTrials", () => {
  it("shares the total among the trials after the warmup, and stops at the total", () => {
    const c = new CountedTrials(10, 3, 100);
    expect(c.take(50)).toBe(true); // warmup: not counted
    const sent = [101, 102, 103, 104, 105, 106, 107, 108, 109, 110].map((t) => c.take(t));
    expect(sent.every(Boolean)).toBe(true);
    expect(c.allSent).toBe(true);
    expect(c.take(111)).toBe(false);
    // Shares of 3, 3 and 4: the trials start with requests 0, 3 and 6.
    expect([50, 101, 103.5, 104, 106.9, 107, 120].map((t) => c.phaseAt(t))).toEqual([
      { kind: "warmup" },
      { kind: "trial", index: 0 },
      { kind: "trial", index: 0 },
      { kind: "trial", index: 1 },
      { kind: "trial", index: 1 },
      { kind: "trial", index: 2 },
      { kind: "trial", index: 2 },
    ]);
    expect(c.seconds(1107)).toEqual([0.003, 0.003, 1]);
  });
});

describe("a load of a fixed number of requests", () => {
  it("sends exactly the total after the warmup, counts each answer in the trial it was sent in, and ends at the last answer", async () => {
    let requests = 0;
    const sockets = new Set<Socket>();
    const server = createServer((s) => {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("data", (d) => {
        const n = d.toString("latin1").split("\r\n\r\n").length - 1;
        requests += n;
        for (let i = 0; i < n; i++) s.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
    const load: LoadPlan = {
      requests: [{ path: "/", method: "GET", headers: {} }],
      connections: 3,
      rate: null,
      warmupSeconds: 0,
      durationSeconds: 60, // unused: the trials are counted, and the test ends long before
      trials: 2,
      timeoutSeconds: 5,
      keepalive: false,
      totalRequests: 301,
      client: "native",
      threads: 1,
    };
    try {
      const outcome = await runLoad(url, load);
      expect(outcome.trials.map((t) => t.requests)).toEqual([150, 151]);
      expect(requests).toBe(301);
      for (const t of outcome.trials) {
        expect(t.seconds).toBeGreaterThan(0);
        expect(t.seconds).toBeLessThan(30);
        expect(t.throughput).toBeCloseTo(t.requests / t.seconds, 6);
      }
    } finally {
      for (const s of sockets) s.destroy();
      server.close();
    }
  });
});
