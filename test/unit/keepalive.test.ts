// load.keepalive: false (--no-keepalive, the Action's keepalive: false): a new TCP connection for every
// request, as ApacheBench without -k, checked at small servers on this process that count what they
// accept; and failed requests counted by kind, connection errors apart from HTTP errors.
import { writeFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { planAction } from "../../src/config/action-plan.js";
import { planRun } from "../../src/config/cli-plan.js";
import type { LoadPlan } from "../../src/config/plan.js";
import { runLoad } from "../../src/load/driver.js";
import { tempDir } from "../support/temp.js";
import { messageOf } from "../support/user-error.js";

const io = { cwd: tmpdir(), env: { PATH: process.env.PATH }, isTTY: false };

function stackWith(load: string): string {
  const dir = tempDir("lg-keepalive-");
  const file = join(dir, "stack.yml");
  writeFileSync(file, `name: demo\napp:\n  command: python3 app.py {port}\n${load}`);
  return file;
}

const loadOf = (argv: string[]) => planRun(argv, io, "test").stacks[0].load;

describe("load.keepalive, --no-keepalive and the Action's keepalive", () => {
  it("keep connections open by default; the stack key, the flag and the input turn them off", () => {
    const plain = stackWith("");
    expect(loadOf([plain]).keepalive).toBe(true);
    expect(loadOf([plain, "--no-keepalive"]).keepalive).toBe(false);
    expect(loadOf([stackWith("load:\n  keepalive: false\n")]).keepalive).toBe(false);
    const inputs: Record<string, string> = { mode: "gate", compare: "baseline", stack: plain, keepalive: "false" };
    const env = { GITHUB_WORKSPACE: tmpdir(), PATH: process.env.PATH };
    expect(planAction((n) => inputs[n] ?? "", env).stacks[0].load.keepalive).toBe(false);
    expect(planAction((n) => ({ ...inputs, keepalive: "" })[n] ?? "", env).stacks[0].load.keepalive).toBe(true);
    expect(messageOf(() => planAction((n) => ({ ...inputs, keepalive: "no" })[n] ?? "", env))).toBe(
      'Input keepalive: expected true or false (false: a new connection for every request, as ApacheBench without -k), got "no".',
    );
  });

  it("refuses autocannon with a new connection per request, naming where each came from", () => {
    const plain = stackWith("");
    expect(messageOf(() => loadOf([plain, "--client", "autocannon", "--no-keepalive"]))).toBe(
      "--client autocannon with --no-keepalive: a new connection for every request needs the native client (autocannon keeps its connections open). Leave --client out (native), or keep connections open.",
    );
    const file = stackWith("load:\n  trials: 2\n  keepalive: false\n");
    expect(messageOf(() => loadOf([file, "--client", "autocannon"]))).toMatch(
      new RegExp(`^--client autocannon with ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:6: load.keepalive: false:`),
    );
    expect(messageOf(() => loadOf([stackWith("load:\n  keepalive: 0\n")]))).toMatch(/load\.keepalive/);
  });
});

/** A raw HTTP server: answers every request on a socket (never closing it itself), and counts sockets and requests. */
async function countingServer(answer: (socket: Socket, requestOnSocket: number) => void) {
  const seen = { sockets: 0, requests: 0, perSocket: [] as number[], closeAsked: 0 };
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    const index = seen.sockets++;
    seen.perSocket[index] = 0;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
    let pending = "";
    socket.on("data", (d) => {
      pending += d.toString("latin1");
      for (let end = pending.indexOf("\r\n\r\n"); end >= 0; end = pending.indexOf("\r\n\r\n")) {
        if (/\r\nconnection: close\r\n/i.test(pending.slice(0, end + 2))) seen.closeAsked++;
        pending = pending.slice(end + 4);
        seen.requests++;
        answer(socket, seen.perSocket[index]++);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
  const close = () => {
    for (const s of sockets) s.destroy();
    return new Promise<void>((r) => server.close(() => r()));
  };
  return { url, seen, close };
}

const OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

const load = (o: Partial<LoadPlan>): LoadPlan => ({
  requests: [{ path: "/", method: "GET", headers: {} }],
  connections: 4,
  rate: null,
  warmupSeconds: 0,
  durationSeconds: 0.4,
  trials: 1,
  timeoutSeconds: 5,
  keepalive: false,
  totalRequests: null,
  client: "native",
  threads: 1,
  ...o,
});

describe("a new connection for every request", () => {
  it("sends each request on a connection of its own, asking the server to close it (even when it does not)", async () => {
    const server = await countingServer((socket) => socket.write(OK));
    try {
      const outcome = await runLoad(server.url, load({}));
      const t = outcome.trials[0]!;
      expect(t.requests).toBeGreaterThan(20);
      expect(t.errors.total).toBe(0);
      expect(server.seen.requests).toBeGreaterThanOrEqual(t.requests);
      // Every request on a connection of its own (a connection opened as the run ended may carry none).
      expect(Math.max(...server.seen.perSocket)).toBe(1);
      expect(server.seen.sockets).toBeGreaterThanOrEqual(server.seen.requests);
      expect(server.seen.sockets).toBeLessThanOrEqual(server.seen.requests + 4);
      expect(server.seen.closeAsked).toBe(server.seen.requests);
    } finally {
      await server.close();
    }
  });

  it("keeps each connection open by default (the contrast)", async () => {
    const server = await countingServer((socket) => socket.write(OK));
    try {
      const outcome = await runLoad(server.url, load({ keepalive: true }));
      expect(outcome.trials[0]!.requests).toBeGreaterThan(20);
      expect(server.seen.sockets).toBe(4);
      expect(server.seen.closeAsked).toBe(0);
    } finally {
      await server.close();
    }
  });

  it("takes a body without a length as ending where the server closes", async () => {
    const server = await countingServer((socket) => socket.end("HTTP/1.0 200 OK\r\n\r\nclose-delimited"));
    try {
      const t = (await runLoad(server.url, load({}))).trials[0]!;
      expect(t.requests).toBeGreaterThan(20);
      expect(t.errors.total).toBe(0);
    } finally {
      await server.close();
    }
  });
});

describe("failed requests by kind, connection errors apart from HTTP errors", () => {
  it("counts a server that resets connections as connection errors, and its 5xx answers as non-2xx", async () => {
    // Every other connection is reset on its request; the others answer 503.
    let n = 0;
    const server = await countingServer((socket) => {
      if (n++ % 2 === 0) socket.resetAndDestroy();
      else socket.write("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n");
    });
    try {
      const t = (await runLoad(server.url, load({}))).trials[0]!;
      expect(t.requests).toBe(0);
      expect(t.errors.connection).toBeGreaterThan(5);
      expect(t.errors.non2xx).toBeGreaterThan(5);
      expect(t.errors.timeouts).toBe(0);
      expect(t.errors.total).toBe(t.errors.connection + t.errors.non2xx);
    } finally {
      await server.close();
    }
  });
});
