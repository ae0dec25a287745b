import { EventEmitter } from "node:events";
import { describe, expect, it, vi } from "vitest";

// connect() failing with EMFILE mid-load (a limit reached after the check before the load, by
// something else holding descriptors): the load stops with the same message as the check.
vi.mock("node:net", async (importOriginal) => {
  const net = await importOriginal<typeof import("node:net")>();
  return {
    ...net,
    connect: () => {
      const socket = Object.assign(new EventEmitter(), { destroy: () => undefined, write: () => true });
      setTimeout(() => {
        socket.emit("error", Object.assign(new Error("connect EMFILE 127.0.0.1:1"), { code: "EMFILE" }));
        socket.emit("close");
      }, 5);
      return socket;
    },
  };
});

const { runLoad } = await import("../../src/load/driver.js");
const { UserError } = await import("../../src/errors.js");

describe("a socket the load generator may not open", () => {
  it("stops the load with EMFILE, the limit and what to do (bad input, exit 2)", async () => {
    const load = runLoad("http://127.0.0.1:1", {
      requests: [{ path: "/", method: "GET", headers: {} }],
      connections: 3,
      rate: null,
      warmupSeconds: 0,
      durationSeconds: 30,
      trials: 1,
      timeoutSeconds: 10,
      keepalive: true,
      totalRequests: null,
      client: "native",
      threads: 1,
    });
    const err = await load.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(
      /^the load generator cannot open 3 connections \(EMFILE: too many open files\): this process may have \d+ open files \(ulimit -n \d+\)/,
    );
    expect((err as Error).message).toContain("Raise ulimit -n");
  });
});
