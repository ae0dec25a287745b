import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { LoadPlan } from "../../src/config/plan.js";
import { runLoad } from "../../src/load/driver.js";
import { liveLoadThreads } from "../../src/load/threads.js";
import { removeAfterAll } from "../support/temp.js";
import { runCli } from "./helpers.js";

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A local server; `delayFor(now)` says how long to hold each response. */
async function serve(delayFor: (startedAt: number) => number): Promise<string> {
  const server = createServer((req, res) => {
    const wait = delayFor(Date.now());
    setTimeout(() => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"ok":true}');
    }, wait);
    req.resume();
  });
  server.keepAliveTimeout = 60_000;
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/test`;
}

function resultOf(file: string) {
  return JSON.parse(readFileSync(file, "utf8")).results[0];
}

describe("--target and open-loop load", () => {
  it("open loop well below capacity: P50 ≈ the server's fixed 20 ms delay", async () => {
    const url = await serve(() => 20);
    const out = removeAfterAll(join(tmpdir(), `lg-open-${process.pid}.json`));
    const run = await runCli([
      "run",
      "--target",
      url,
      "--rate",
      "50",
      "--connections",
      "10",
      "--warmup",
      "0.5",
      "--duration",
      "3",
      "--trials",
      "1",
      "--json",
      out,
    ]);
    expect(run.code, run.stderr).toBe(0);
    const r = resultOf(out);
    expect(r.load.mode).toBe("open-loop");
    expect(r.stack.webserver).toBe("external");
    expect(r.summary.latency.p50.median).toBeGreaterThan(19.5);
    expect(r.summary.latency.p50.median).toBeLessThan(26);
    expect(r.summary.throughput.median).toBeGreaterThan(45);
    expect(r.summary.throughput.median).toBeLessThan(55);
  });

  it.each([1, 2])(
    "a one-second stall over %i thread(s): the corrected P99 shows it, the uncorrected one hides it, the rate holds",
    async (threads) => {
      let stallStart = 0;
      const url = await serve((now) => {
        if (stallStart === 0) stallStart = now + 1500;
        // Every request that arrives during the stall window is held until the window ends.
        return now >= stallStart && now < stallStart + 1000 ? stallStart + 1000 - now : 0;
      });
      const out = removeAfterAll(join(tmpdir(), `lg-stall-${process.pid}.json`));
      const run = await runCli([
        "run",
        "--target",
        url,
        "--rate",
        "200",
        "--connections",
        "2",
        "--warmup",
        "0",
        "--duration",
        "5",
        "--trials",
        "1",
        "--load-threads",
        String(threads),
        "--json",
        out,
      ]);
      expect(run.code, run.stderr).toBe(0);
      const r = resultOf(out);
      const t = r.trials[0];
      expect(r.load.threads).toBe(threads);
      expect(t.latency.p99).toBeGreaterThan(500);
      expect(t.latencyUncorrected.p99).toBeLessThan(100);
      // The threads keep the one schedule: 200 requests due per second, each answered and counted once.
      expect(t.requests).toBeGreaterThanOrEqual(990);
      expect(t.requests).toBeLessThanOrEqual(1000);
      expect(run.stdout).toMatch(/corrected for coordinated omission/);
    },
  );

  it("closed loop against a target works and reports CPU of the load generator", async () => {
    const url = await serve(() => 0);
    const out = removeAfterAll(join(tmpdir(), `lg-closed-${process.pid}.json`));
    const run = await runCli([
      "run",
      "--target",
      url,
      "--connections",
      "4",
      "--warmup",
      "0.5",
      "--duration",
      "1",
      "--trials",
      "2",
      "--json",
      out,
    ]);
    expect(run.code, run.stderr).toBe(0);
    const r = resultOf(out);
    expect(r.trials).toHaveLength(2);
    expect(r.cpu.seconds.loadgen).toBeGreaterThan(0);
    expect(r.summary.throughput.median).toBeGreaterThan(0);
  });

  it("HEAD requests complete at the headers although Content-Length names a body", async () => {
    const url = await serve(() => 0);
    const outcome = await runLoad(url, {
      requests: [{ method: "HEAD", path: "/test", headers: {} }],
      connections: 2,
      rate: null,
      warmupSeconds: 0,
      durationSeconds: 1,
      trials: 1,
      timeoutSeconds: 0.5,
      keepalive: true,
      totalRequests: null,
      client: "native",
      threads: 1,
    });
    expect(outcome.trials[0].requests).toBeGreaterThan(100);
    expect(outcome.trials[0].errors.timeouts).toBe(0);
  });

  const load = (o: Partial<LoadPlan>): LoadPlan => ({
    requests: [{ method: "GET", path: "/test", headers: {} }],
    connections: 4,
    rate: null,
    warmupSeconds: 0,
    durationSeconds: 1,
    trials: 1,
    timeoutSeconds: 2,
    client: "native",
    keepalive: true,
    totalRequests: null,
    threads: 2,
    ...o,
  });

  it("two threads, closed loop: one outcome whose histogram holds every counted response", async () => {
    const url = await serve(() => 0);
    const outcome = await runLoad(url, load({}));
    expect(outcome.threads).toBe(2);
    expect(outcome.trials[0].requests).toBeGreaterThan(100);
    expect(outcome.histograms[0].totalCount).toBe(outcome.trials[0].requests);
    expect(liveLoadThreads()).toBe(0);
  });

  it("threads: an abort (Ctrl-C) leaves no thread running and nothing sent after it", async () => {
    let served = 0;
    const url = await serve(() => {
      served++;
      return 0;
    });
    const ac = new AbortController();
    const run = runLoad(url, load({ durationSeconds: 60 }), { signal: ac.signal });
    for (let i = 0; i < 200 && served < 100; i++) await new Promise((r) => setTimeout(r, 50));
    expect(served).toBeGreaterThanOrEqual(100);
    ac.abort(new Error("interrupted"));
    await expect(run).rejects.toThrow("interrupted");
    expect(liveLoadThreads()).toBe(0);
    const after = served;
    await new Promise((r) => setTimeout(r, 300));
    expect(served).toBe(after);
  });

  it("bad URL, non-loopback host and refused connection: exit 2 with a clear message", async () => {
    const bad = await runCli(["run", "--target", "not a url"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("is not a URL");
    const remote = await runCli(["run", "--target", "http://192.0.2.1:80/"]);
    expect(remote.code).toBe(2);
    expect(remote.stderr).toContain("only sends load to loopback addresses");
    const url = await serve(() => 0);
    const port = Number(new URL(url).port);
    await new Promise((r) => servers.pop()!.close(r));
    const refused = await runCli(["run", "--target", `http://127.0.0.1:${port}/`]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("nothing accepts connections on 127.0.0.1");
  });
});
