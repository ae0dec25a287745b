import { describe, expect, it } from "vitest";
import { blockOrder } from "../../src/ab/schedule.js";
import { nextHistory } from "../../src/baseline/history.js";
import { DEFAULT_GATE } from "../../src/compare/gate.js";
import { parseHead, ResponseHead, requestBuffer, scanHead } from "../../src/load/http-connection.js";
import { phaseAt } from "../../src/load/phases.js";
import { planPlacement } from "../../src/load/placement.js";
import { COMMENT_LIMIT, commentMarker, escapeText, renderMarkdown } from "../../src/report/markdown.js";
import { runTable } from "../../src/report/terminal.js";
import { environmentId } from "../../src/result/environment.js";
import { fillPlaceholders, renderNginxConf, renderPgbouncerIni } from "../../src/stack/configs.js";
import { nginxSupportsErrorFlag } from "../../src/stack/versions.js";
import { addCpuAccounts, cpuAccount, loadGeneratorWarning } from "../../src/stats/cpu-shares.js";
import { compareWithBaseline } from "../../src/verdict/stored.js";
import { around, result } from "../support/results.js";

describe("phases", () => {
  it("splits one continuous load into warmup and back-to-back trials", () => {
    const s = { warmupSeconds: 2, durationSeconds: 3, trials: 2 };
    expect(phaseAt(1.9, s)).toEqual({ kind: "warmup" });
    expect(phaseAt(2, s)).toEqual({ kind: "trial", index: 0 });
    expect(phaseAt(7.99, s)).toEqual({ kind: "trial", index: 1 });
    expect(phaseAt(8, s)).toEqual({ kind: "done" });
  });
});

describe("A/B schedule", () => {
  it("alternates ABBA and BAAB blocks, each adjacent two a pair", () => {
    expect([0, 1, 2].map((b) => blockOrder(b).join(""))).toEqual([
      "baseheadheadbase",
      "headbasebasehead",
      "baseheadheadbase",
    ]);
    const sides = [0, 1, 2, 3].flatMap(blockOrder);
    expect(sides.filter((s) => s === "base")).toHaveLength(8);
    for (let i = 0; i < sides.length; i += 2) expect(new Set([sides[i], sides[i + 1]]).size).toBe(2);
  });
});

describe("component configs", () => {
  it("nginx: access log off, keepalive upstream, or the uwsgi protocol", () => {
    const http = renderNginxConf({
      prefix: "/r",
      listenPort: 1,
      appPort: 2,
      workerProcesses: "auto",
      keepalive: 16,
      upstream: "http",
    });
    expect(http).toContain("access_log off;");
    expect(http).toContain("keepalive 16;");
    expect(http).toContain("proxy_pass http://app;");
    const uwsgi = renderNginxConf({
      prefix: "/r",
      listenPort: 1,
      appPort: 2,
      workerProcesses: 1,
      keepalive: 0,
      upstream: "uwsgi",
    });
    expect(uwsgi).toContain("uwsgi_pass app;");
    expect(uwsgi).toContain("uwsgi_param PATH_INFO $document_uri;");
    expect(uwsgi).not.toContain("keepalive 0");
  });
  it("PgBouncer: transaction pooling on loopback, no unix socket", () => {
    const ini = renderPgbouncerIni({
      listenPort: 6432,
      postgresPort: 5432,
      database: "db",
      user: "u",
      statsUser: "admin",
      authFile: "/a",
      poolMode: "transaction",
      defaultPoolSize: 20,
      maxClientConn: 100,
    });
    expect(ini).toContain("pool_mode = transaction");
    expect(ini).toContain("listen_addr = 127.0.0.1");
    expect(ini).toContain("unix_socket_dir =\n");
    expect(ini).toContain("auth_type = scram-sha-256\n");
    expect(ini).not.toContain("trust");
    expect(ini).toContain("stats_users = admin\n");
  });
  it("fills placeholders and leaves unknown ones alone", () => {
    expect(fillPlaceholders("serve -p {port} -w {workers} {other}", { port: 8000, workers: 4 })).toBe(
      "serve -p 8000 -w 4 {other}",
    );
  });
  it("passes -e stderr only to nginx ≥ 1.19.5", () => {
    expect(nginxSupportsErrorFlag("1.22.1")).toBe(true);
    expect(nginxSupportsErrorFlag("1.18.0")).toBe(false);
    expect(nginxSupportsErrorFlag(undefined)).toBe(false);
  });
});

describe("HTTP response heads", () => {
  it("finds status, content length, chunking and close", () => {
    const h = parseHead(Buffer.from("HTTP/1.1 200 OK\r\nContent-Type: x\r\nContent-Length: 48\r\n\r\n{"));
    expect(h).toMatchObject({ status: 200, contentLength: 48, chunked: false, close: false });
    expect(parseHead(Buffer.from("HTTP/1.1 503 No\r\ncontent-length: 0\r\nConnection: close\r\n\r\n"))).toMatchObject({
      status: 503,
      contentLength: 0,
      close: true,
    });
    expect(parseHead(Buffer.from("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"))).toMatchObject({
      chunked: true,
      contentLength: null,
    });
    expect(parseHead(Buffer.from("HTTP/1.0 200 OK\r\nCONTENT-LENGTH: 5\r\n\r\n"))).toMatchObject({
      contentLength: 5,
      close: true,
    });
    expect(parseHead(Buffer.from("HTTP/1.1 200 OK\r\nContent-Le"))).toBeUndefined();
  });
  it("reads only the bytes it is given: a shared read buffer holds stale ones past them", () => {
    const head = "HTTP/1.1 200 OK\r\nServer: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\n";
    const buf = Buffer.alloc(256, "\r\n");
    buf.write(`${head}hi`);
    const h = new ResponseHead();
    for (let n = 0; n < head.length; n++) expect(scanHead(buf, n, h)).toBe(false);
    expect(scanHead(buf, head.length, h)).toBe(true);
    expect(h).toMatchObject({ status: 200, contentLength: 2, close: true, chunked: false, headerEnd: head.length });
  });
  it("builds a request once, with Host and a body length", () => {
    const b = requestBuffer("127.0.0.1:8080", {
      method: "POST",
      path: "/x",
      headers: { a: "b" },
      body: "hi",
    }).toString();
    expect(b).toBe("POST /x HTTP/1.1\r\nhost: 127.0.0.1:8080\r\na: b\r\ncontent-length: 2\r\n\r\nhi");
  });
});

describe("CPU accounting", () => {
  it("shares of the machine and the load generator warning", () => {
    const a = cpuAccount(
      { atMs: 0, components: { app: 1 }, loadGenerator: 0, machine: 2 },
      { atMs: 10_000, components: { app: 9 }, loadGenerator: 9.5, machine: 22 },
      2,
    );
    expect(a.seconds).toEqual({ app: 8, loadgen: 9.5, other: 2.5 });
    expect(a.share.app).toBeCloseTo(0.4);
    expect(a.loadGeneratorCores).toBeCloseTo(0.95);
    expect(loadGeneratorWarning(a)).toMatch(/95% of one core/);
  });
  it("adds the accounts of an A/B side's windows: seconds and wall time add, shares are of the sum", () => {
    const w1 = cpuAccount(
      { atMs: 0, components: { app: 0, nginx: 0 }, loadGenerator: 0, machine: 0 },
      { atMs: 2_000, components: { app: 2, nginx: 0.5 }, loadGenerator: 0.2, machine: 3 },
      2,
    );
    const w2 = cpuAccount(
      { atMs: 0, components: { app: 0, postgres: 0 }, loadGenerator: 0, machine: 0 },
      { atMs: 3_000, components: { app: 3, postgres: 1 }, loadGenerator: 0.4, machine: 4.4 },
      2,
    );
    expect(addCpuAccounts(undefined, w1)).toBe(w1);
    const sum = addCpuAccounts(w1, w2);
    expect(sum.wallSeconds).toBe(5);
    expect(sum.seconds.app).toBeCloseTo(5);
    expect(sum.seconds.nginx).toBeCloseTo(0.5);
    expect(sum.seconds.postgres).toBeCloseTo(1);
    expect(sum.seconds.loadgen).toBeCloseTo(0.6);
    expect(sum.share.app).toBeCloseTo(5 / 10);
    expect(sum.loadGeneratorCores).toBeCloseTo(0.12);
  });
  it("pins the load generator to CPU 0 and the stack to the rest", () => {
    expect(planPlacement(true, 4)).toEqual({ pinned: true, loadGenerator: "0", stack: "1-3" });
    expect(planPlacement(false, 4).pinned).toBe(false);
  });
});

describe("environment id", () => {
  it("ignores the kernel and small memory differences, not versions", () => {
    const f = {
      cpuModel: "X",
      logicalCores: 4,
      memoryBytes: 8 * 2 ** 30,
      kernel: "6.1",
      os: "Debian",
      arch: "x64",
      versions: { a: "1" },
      stackFileHash: "h",
    };
    expect(environmentId({ ...f, kernel: "6.2", memoryBytes: f.memoryBytes - 2 ** 20 })).toBe(environmentId(f));
    expect(environmentId({ ...f, versions: { a: "2" } })).not.toBe(environmentId(f));
  });
});

describe("baseline history", () => {
  it("appends the previous baseline's medians, at most 20", () => {
    const prev = {
      ...result(around(1000, 20)),
      history: Array.from({ length: 20 }, (_, i) => ({ sha: `s${i}`, createdAt: "", throughput: 1, p50: 1, p99: 1 })),
    };
    const h = nextHistory(prev, "abc", "2026-11-27");
    expect(h).toHaveLength(20);
    expect(h.at(-1)).toMatchObject({ sha: "abc", throughput: prev.summary.throughput.median });
    expect(nextHistory(undefined, undefined, "")).toEqual([]);
  });
});

describe("reports", () => {
  it("orders the study table by P99", () => {
    const fast = { ...result(around(1000, 10)), stack: { name: "a", file: "", webserver: "Fast", framework: "F" } };
    const slow = { ...result(around(500, 50)), stack: { name: "b", file: "", webserver: "Slow", framework: "S" } };
    const lines = runTable([slow, fast]).split("\n");
    expect(lines[0]).toMatch(
      /^Webserver\s+Framework\s+Workers\s+P50 \(ms\)\s+P99 \(ms\)\s+Throughput \(req\/s\)\s+Errors$/,
    );
    expect(lines[2]).toMatch(/^Fast/);
    expect(lines[3]).toMatch(/^Slow/);
  });
  it("escapes text from files so it cannot change the comment", () => {
    expect(escapeText("a|b <script> [x](y) `z`\nnext")).toBe("a\\|b &lt;script&gt; \\[x\\](y) \\`z\\` next");
    expect(commentMarker(["b", "a"])).toBe("<!-- loadgate:comment stacks=a,b -->");
  });
  it("renders the verdict table and stays under GitHub's limit", () => {
    const base = result(around(1000, 20));
    const head = result(around(500, 40));
    const comparison = compareWithBaseline(base, head, {
      ...DEFAULT_GATE,
      p99: 0.1,
      throughput: -0.05,
      errorRate: 0.01,
    });
    const md = renderMarkdown(
      {
        title: "Commit abc",
        headline: comparison.headline,
        decidedBy: "decided against X",
        stacks: [{ result: head, baseline: base, baselineLabel: "1234567", comparison }],
      },
      commentMarker(["demo"]),
    );
    expect(md).toContain("## ❌ loadgate: regression beyond the threshold");
    expect(md).toMatch(
      /\| Metric +\| +Baseline \(1234567\) +\| +This PR +\| +Change \(interval\) +\| +Confidence +\| Verdict/,
    );
    expect(md).toContain("<details><summary>Per-trial values</summary>");
    const many = Array.from({ length: 400 }, (_, i) => ({
      result: { ...head, warnings: [`warning ${i} ${"x".repeat(200)}`] },
      baseline: base,
      baselineLabel: "1234567",
      comparison,
    }));
    const big = renderMarkdown(
      { title: "t", headline: "regression", decidedBy: "d", stacks: many },
      commentMarker(["demo"]),
    );
    expect(big.length).toBeLessThanOrEqual(COMMENT_LIMIT);
  });
});
