import { EventEmitter } from "node:events";
import { describe, expect, it, vi } from "vitest";

// A connect that never completes (a server whose accept queue is full drops the SYN): after
// load.timeout the request counts as a connection error, not as a timeout (nothing was sent), and the
// connection is tried again.
const attempts = { made: 0, destroyed: 0 };
vi.mock("node:net", async (importOriginal) => {
  const net = await importOriginal<typeof import("node:net")>();
  return {
    ...net,
    connect: () => {
      attempts.made++;
      return Object.assign(new EventEmitter(), {
        destroy: () => {
          attempts.destroyed++;
        },
        write: () => true,
      });
    },
  };
});

const { runLoad } = await import("../../src/load/driver.js");

describe("a connection not made within load.timeout", () => {
  it("is a connection error, retried; not a request timeout", async () => {
    const outcome = await runLoad("http://127.0.0.1:1", {
      requests: [{ path: "/", method: "GET", headers: {} }],
      connections: 2,
      rate: null,
      warmupSeconds: 0,
      durationSeconds: 0.9,
      trials: 1,
      timeoutSeconds: 0.3,
      keepalive: false,
      totalRequests: null,
      client: "native",
      threads: 1,
    });
    const t = outcome.trials[0]!;
    expect(t.requests).toBe(0);
    expect(t.errors.connection).toBeGreaterThanOrEqual(2);
    expect(t.errors.timeouts).toBe(0);
    expect(attempts.made).toBeGreaterThan(2);
    expect(attempts.destroyed).toBeGreaterThanOrEqual(2);
  });
});
