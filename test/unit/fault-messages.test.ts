import { createServer, type Server, type Socket } from "node:net";
import { describe, expect, it } from "vitest";
import { absoluteOnly } from "../../src/compare/absolute.js";
import { errorRateOver } from "../../src/compare/error-rate.js";
import { DEFAULT_GATE } from "../../src/compare/gate.js";
import { DEFAULT_RISK } from "../../src/compare/risk.js";
import type { LoadPlan } from "../../src/config/plan.js";
import { errorRateMessage, errorsByKind } from "../../src/engine/error-rate.js";
import { StackError, UserError } from "../../src/errors.js";
import { runLoad } from "../../src/load/driver.js";
import { FD_RESERVE, openFileLimit, socketLimitError } from "../../src/load/fd-limit.js";
import { stallLimitSeconds } from "../../src/load/watchdog.js";
import type { Trial } from "../../src/result/types.js";
import { sqlFailure } from "../../src/stack/postgres.js";
import { firstLine } from "../../src/stack/probes.js";
import { notReadyText } from "../../src/stack/process-group.js";
import { explainFullDisk } from "../../src/stack/run-folder.js";
import { compareWithBaseline } from "../../src/verdict/stored.js";
import { result, trial } from "../support/results.js";

const withErrors = (t: Trial, e: Partial<Trial["errors"]>): Trial => {
  const errors = { connection: 0, timeouts: 0, non2xx: 0, ...e };
  const total = errors.connection + errors.timeouts + errors.non2xx;
  return { ...t, errors: { ...errors, total }, errorRate: total / (total + t.requests) };
};

describe("readiness: what the last probe found", () => {
  it("names the status and the body's first line of a server that answers 5xx, with the failed-load hint", () => {
    const text = notReadyText(42, 30, "ready (HTTP 2xx on /test)", {
      ok: false,
      status: 500,
      detail: `GET /test answered HTTP 500 ${JSON.stringify(firstLine("\n  Internal Server Error  \nmore"))}`,
    });
    expect(text).toBe(
      'did not become ready (HTTP 2xx on /test) within 30 s: it is still running (pid 42) and GET /test answered HTTP 500 "Internal Server Error". A server that stays up after its app failed to load (uWSGI without need-app, a WSGI or ASGI import error caught by the server) answers 5xx like this: the cause is in the log below. Fix it, or make the server exit when the app cannot load',
    );
  });
  it("says it may be stuck when nothing answered, as before when there was no probe answer", () => {
    expect(notReadyText(7, 4, "ready", { ok: false, detail: "nothing accepted connections on port 5" })).toBe(
      "did not become ready within 4 s: it is still running (pid 7) and nothing accepted connections on port 5; it may be stuck",
    );
    expect(notReadyText(7, 4, "ready", undefined)).toBe(
      "did not become ready within 4 s (it is still running; it may be stuck)",
    );
  });
});

describe("a failing schema or seed SQL", () => {
  it("names the stack file's line, the SQL file and line psql stopped at, and keeps psql's words (exit 3)", () => {
    const spec = { file: "/s/stack.yml", lines: { database: 2, "database.seed": 4 } } as never;
    const err = sqlFailure(
      spec,
      "seed",
      "/s/seed.sql",
      'psql:/s/seed.sql:7: ERROR:  relation "nope" does not exist\nLINE 1: insert into nope values (2);\n                    ^\n',
    );
    expect(err).toBeInstanceOf(StackError);
    expect(err.exitCode).toBe(3);
    expect(err.message.split("\n")[0]).toBe(
      '/s/stack.yml:4: database.seed failed at /s/seed.sql:7: ERROR: relation "nope" does not exist',
    );
    expect(err.message).toContain("LINE 1: insert into nope values (2);");
    expect(err.message).toContain("Fix the SQL (/s/seed.sql:7) and run again.");
  });
  it("without a psql error line, names the file", () => {
    const spec = { file: "/s/stack.yml", lines: { database: 2 } } as never;
    expect(sqlFailure(spec, "schema", "/s/schema.sql", "psql: error: connection refused").message).toMatch(
      /^\/s\/stack\.yml:2: database\.schema failed at \/s\/schema\.sql\n/,
    );
  });
});

describe("the error-rate gate without a baseline", () => {
  const failing = () => {
    const r = result([
      { throughput: 100, p99: 10 },
      { throughput: 100, p99: 10 },
    ]);
    r.trials = r.trials.map((t) => withErrors(t, { non2xx: 300 }));
    return r;
  };
  it("fails a run whose requests failed beyond the limit, SLOs or not", () => {
    const c = absoluteOnly(failing(), { ...DEFAULT_GATE }, DEFAULT_RISK, "no --baseline given");
    expect(c.headline).toBe("regression");
    expect(c.metrics.map((m) => [m.metric, m.verdict])).toEqual([["errorRate", "regression"]]);
    expect(c.notes[0]).toContain("the error rate is over its limit");
    expect(errorRateOver(failing(), DEFAULT_GATE)).toBe(true);
    // Within the limit, with no SLO, there is still nothing to decide.
    const fine = result([{ throughput: 100, p99: 10 }]);
    expect(absoluteOnly(fine, { ...DEFAULT_GATE }, DEFAULT_RISK, "x").headline).toBe("no-baseline");
    expect(absoluteOnly(failing(), { ...DEFAULT_GATE, errorRate: 0.5 }, DEFAULT_RISK, "x").headline).toBe(
      "no-baseline",
    );
  });
  it("fails it against a baseline from another machine too", () => {
    const base = result([{ throughput: 100, p99: 10 }], { cpuModel: "Other CPU" });
    expect(compareWithBaseline(base, failing(), { ...DEFAULT_GATE }).headline).toBe("regression");
  });
  it("says why, by kind, with the limit, PgBouncer's pool and the app's log", () => {
    const trials = [withErrors(trial(0, 10, 5), { connection: 1, timeouts: 20, non2xx: 0 })];
    expect(errorsByKind(trials)).toEqual({ connection: 1, timeouts: 20, non2xx: 0, failed: 21, attempts: 121 });
    const text = errorRateMessage("stack s", trials, 0.01, {
      requestTimeoutSeconds: 1,
      pool: "PgBouncer's pool for loadgate: 3 client(s) waiting",
      appLog: { file: "/r/app.log", text: "boom" },
    })!;
    expect(text).toContain(
      "stack s: 17.36% of the measured requests failed (connection errors 1, timeouts 20, non-2xx 0; 21 of 121), over the error-rate limit of 1% (gate.error-rate, or --max-error-rate).",
    );
    expect(text).toContain("timeouts: no answer within load.timeout (1 s)");
    expect(text).toContain(
      "connection errors: the connection was refused, reset or closed before an answer, or not made within load.timeout",
    );
    expect(text).not.toContain("non-2xx: the app");
    expect(text).toContain("PgBouncer's pool for loadgate: 3 client(s) waiting");
    expect(text).toMatch(/--- last lines of the app's log \/r\/app\.log ---\nboom\n---$/);
    expect(errorRateMessage("stack s", trials, 0.5, { requestTimeoutSeconds: 1 })).toBeUndefined();
  });
});

describe("the file descriptor limit", () => {
  it("reads ulimit -n from /proc/self/limits", () => {
    const limits =
      "Limit                     Soft Limit           Hard Limit           Units     \nMax open files            64                   1048576              files     \n";
    expect(openFileLimit(limits)).toBe(64);
    expect(openFileLimit("Max open files            unlimited            unlimited            files\n")).toBe(
      Number.POSITIVE_INFINITY,
    );
    expect(openFileLimit("")).toBeUndefined();
  });
  it("says EMFILE, the limit, how many fit and what to do (exit 2)", () => {
    const err = socketLimitError(200, 64, 20);
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toBe(
      `the load generator cannot open 200 connections (EMFILE: too many open files): this process may have 64 open files (ulimit -n 64) and has 20 open already, so about ${64 - 20 - FD_RESERVE} connections fit. Raise ulimit -n (e.g. ulimit -n 4096 in the shell or step that runs loadgate) or lower connections (load.connections or --connections to ${64 - 20 - FD_RESERVE} or fewer).`,
    );
    expect(socketLimitError(10_000, 1024, 30).message).toContain("ulimit -n 16384");
  });
});

describe("a full run folder", () => {
  it("puts ENOSPC first, with the folder, its space and what to do", () => {
    const err = explainFullDisk(
      Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" }),
      "/tmp",
    );
    expect(err).toBeInstanceOf(StackError);
    expect((err as Error).message).toMatch(
      /^The run folder \/tmp ran out of space \(a file system of \d+\.\d MB, \d+\.\d MB free when loadgate looked\)/,
    );
    expect((err as Error).message).toContain("point RUNNER_TEMP (or TMPDIR) at a folder with more room");
    expect((err as Error).message).toMatch(/\nENOSPC: no space left on device, write$/);
  });
  it("leaves any other failure alone", () => {
    const other = new StackError("app exited with code 1");
    expect(explainFullDisk(other, "/tmp")).toBe(other);
  });
});

describe("the progress watchdog", () => {
  const load = (timeoutSeconds: number): LoadPlan => ({
    requests: [{ path: "/", method: "GET", headers: {} }],
    connections: 2,
    rate: null,
    warmupSeconds: 0,
    durationSeconds: 30,
    trials: 1,
    timeoutSeconds,
    keepalive: true,
    totalRequests: null,
    client: "native",
    threads: 1,
  });
  async function listen(onSocket: (s: Socket) => void): Promise<{ server: Server; url: string }> {
    const server = createServer(onSocket);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    return { server, url: `http://127.0.0.1:${port}` };
  }

  it("allows twice the request timeout without a response", () => {
    expect(stallLimitSeconds(10)).toBe(20);
    expect(stallLimitSeconds(0.25)).toBe(0.5);
  });

  it("stops a load that gets no response for that long, with the error the stack names", async () => {
    const sockets: Socket[] = [];
    const { server, url } = await listen((s) => sockets.push(s)); // accepts, never answers
    const started = performance.now();
    try {
      await expect(
        runLoad(url, load(0.25), {
          stalled: (n, t) => new StackError(`app stopped answering: no response for ${n} s (timeout ${t} s)`),
        }),
      ).rejects.toThrow("app stopped answering: no response for 0.5 s (timeout 0.25 s)");
      expect(performance.now() - started).toBeLessThan(5000);
    } finally {
      for (const s of sockets) s.destroy();
      server.close();
    }
  });

  it("counts refused connections as connection errors, backing off instead of spinning", async () => {
    const { server, url } = await listen(() => undefined);
    server.close(); // nothing listens on the port any more
    const outcome = await runLoad(url, { ...load(10), durationSeconds: 0.5 });
    const t = outcome.trials[0]!;
    expect(t.requests).toBe(0);
    expect(t.errors.connection).toBeGreaterThan(0);
    expect(t.errors.connection).toBeLessThan(2 * 0.5 * 100 + 10); // 2 connections, one try per 10 ms at most
    expect(t.errors.timeouts).toBe(0);
  });

  it("does not fire while responses keep coming, however slowly", async () => {
    const { server, url } = await listen((s) =>
      s.on("data", () => setTimeout(() => s.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"), 150)),
    );
    try {
      const outcome = await runLoad(url, { ...load(0.25), durationSeconds: 1.5 });
      expect(outcome.trials[0]!.requests).toBeGreaterThan(0);
    } finally {
      server.close();
    }
  });
});
