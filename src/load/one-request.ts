// One request at a time: the fixed request sequence the cost and work counts send, and one request
// sent and read to its end (its status and body bytes), for counts that want every answer checked.

import http from "node:http";
import type { RequestSpec } from "../config/stack-spec.js";

/** The fixed request sequence: the stack's requests in turn, the same on every run and every side. */
export function requestAt(requests: readonly RequestSpec[], i: number): RequestSpec {
  return requests[i % requests.length];
}

/** Requests per chunk rounded up to a whole number of turns through the stack's requests, so every chunk sends the same mix. */
export function chunkSize(requested: number, kinds: number): number {
  return Math.ceil(requested / Math.max(1, kinds)) * Math.max(1, kinds);
}

/** Sends one request and reads the whole answer; rejects on a connection error or after the timeout. */
export function sendOne(
  agent: http.Agent,
  base: URL,
  r: RequestSpec,
  timeoutMs: number,
): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent,
        host: base.hostname,
        port: base.port,
        method: r.method,
        path: r.path,
        headers: r.body === undefined ? r.headers : { ...r.headers, "content-length": Buffer.byteLength(r.body) },
        timeout: timeoutMs,
      },
      (res) => {
        let bytes = 0;
        res.on("data", (d: Buffer) => {
          bytes += d.length;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, bytes }));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
    req.on("error", reject);
    req.end(r.body);
  });
}
