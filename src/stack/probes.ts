import { request } from "node:http";
import { connect } from "node:net";

/**
 * What one readiness probe found: ready, or why not in a few words, for the message when the
 * component never becomes ready ("GET /test answered HTTP 500 "Internal Server Error"").
 */
export type ProbeAnswer = { ok: true } | { ok: false; detail: string; status?: number };

const READY: ProbeAnswer = { ok: true };

/** The first non-empty line of a response body, trimmed and shortened, for a message. */
export function firstLine(body: string, max = 160): string {
  const line = body.split(/\r?\n/).find((l) => l.trim() !== "") ?? "";
  const t = line.trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/**
 * GET `url`: ready on a 2xx within the timeout. Otherwise the detail names the status and the body's
 * first line (a server whose app failed to load answers 5xx and says why), the connection error or
 * the timeout.
 */
export function httpProbe(url: string, timeoutMs = 2000): Promise<ProbeAnswer> {
  const path = new URL(url).pathname;
  return new Promise((resolve) => {
    const req = request(url, { method: "GET", timeout: timeoutMs, agent: false }, (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 200 && status < 300) {
        res.resume();
        resolve(READY);
        return;
      }
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => {
        if (body.length < 4096) body += d;
      });
      const done = () => {
        const line = firstLine(body);
        resolve({
          ok: false,
          status,
          detail: `GET ${path} answered HTTP ${status}${line ? ` ${JSON.stringify(line)}` : " with an empty body"}`,
        });
      };
      res.on("end", done);
      res.on("error", done);
    });
    req.on("timeout", () => {
      req.destroy();
      resolve({ ok: false, detail: `GET ${path} got no answer within ${timeoutMs / 1000} s` });
    });
    req.on("error", (err: NodeJS.ErrnoException) =>
      resolve({
        ok: false,
        detail:
          err.code === "ECONNREFUSED"
            ? `nothing accepted connections on port ${new URL(url).port}`
            : `GET ${path} failed: ${err.code ?? err.message}`,
      }),
    );
    req.end();
  });
}

/** True when GET url answers 2xx within the timeout. */
export async function httpOk(url: string, timeoutMs = 2000): Promise<boolean> {
  return (await httpProbe(url, timeoutMs)).ok;
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function tcpOpen(port: number, timeoutMs = 1000, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(false));
  });
}

/** tcpOpen as a probe answer. */
export async function tcpProbe(port: number): Promise<ProbeAnswer> {
  return (await tcpOpen(port)) ? READY : { ok: false, detail: `nothing accepted connections on port ${port}` };
}
