// What the fakes of the Actions cache service and the artifact service share: both are twirp APIs of
// the results service (POST /twirp/<service>/<Method>, a bearer token, proto-JSON bodies) with Azure
// block-blob storage behind them. Each fake keeps its own methods and its own model of what it stores.

import { createHash, randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { sendJson } from "./http.js";

export interface RecordedServiceRequest {
  kind: "twirp" | "blob";
  method: string;
  /** Path without the query string. */
  path: string;
  /** Twirp method name (CreateCacheEntry, ...) for twirp requests. */
  rpc?: string;
  /** Query parameters (blob requests: comp, blockid, sig, ...). */
  query: Record<string, string>;
  /** Parsed JSON body of twirp requests. */
  body?: unknown;
  /** Body size of blob requests. */
  bytes?: number;
  /** Request headers that matter to the protocol. */
  headers: Record<string, string>;
  /** Status the fake answered with. */
  status: number;
}

/** Twirp error codes and their HTTP statuses (the ones these fakes answer). */
export const TWIRP_STATUS: Record<string, number> = {
  invalid_argument: 400,
  malformed: 400,
  unauthenticated: 401,
  permission_denied: 403,
  not_found: 404,
  bad_route: 404,
  already_exists: 409,
};

export type TwirpReply = (status: number, value: unknown) => void;
export type TwirpError = (code: string, msg: string) => void;

function pick(req: IncomingMessage, names: readonly string[]): Record<string, string> {
  return Object.fromEntries(names.filter((n) => req.headers[n] !== undefined).map((n) => [n, String(req.headers[n])]));
}

/** The record of a blob request, with the headers that matter to the protocol. */
export function blobRecord(
  req: IncomingMessage,
  url: URL,
  raw: Buffer,
  headers: readonly string[],
): RecordedServiceRequest {
  return {
    kind: "blob",
    method: req.method ?? "GET",
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    bytes: raw.length,
    headers: pick(req, headers),
    status: 0,
  };
}

/**
 * Records a twirp request, checks its envelope (POST to a method of `prefix`, an accepted bearer
 * token, a JSON object body) and hands the method and body to `handle`; any envelope error is
 * answered here. `otherStatus`: the status of an error code not in TWIRP_STATUS.
 */
export function serveTwirp(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  raw: Buffer,
  o: {
    prefix: string;
    requests: RecordedServiceRequest[];
    acceptsToken: (bearer: string | undefined) => boolean;
    otherStatus: number;
    handle: (rpc: string, body: Record<string, unknown>, reply: TwirpReply, twirpError: TwirpError) => void;
  },
): void {
  const method = req.method ?? "GET";
  const record: RecordedServiceRequest = {
    kind: "twirp",
    method,
    path: url.pathname,
    rpc: url.pathname.startsWith(o.prefix) ? url.pathname.slice(o.prefix.length) : undefined,
    query: Object.fromEntries(url.searchParams),
    headers: pick(req, ["authorization", "content-type", "user-agent"]),
    status: 0,
  };
  o.requests.push(record);
  const reply: TwirpReply = (status, value) => {
    record.status = status;
    sendJson(res, status, value);
  };
  const twirpError: TwirpError = (code, msg) => reply(TWIRP_STATUS[code] ?? o.otherStatus, { code, msg });
  const refusal = (): [string, string] | undefined => {
    if (!record.rpc || method !== "POST") return ["bad_route", `no handler for ${method} ${url.pathname}`];
    const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? "")?.[1];
    if (!o.acceptsToken(bearer)) return ["unauthenticated", "invalid or missing runtime token"];
    if (!String(req.headers["content-type"] ?? "").startsWith("application/json")) {
      return ["bad_route", "only application/json is served by this fake"];
    }
    try {
      record.body = JSON.parse(raw.toString("utf8") || "{}");
    } catch {
      return ["malformed", "the request body is not valid JSON"];
    }
    const body = record.body;
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      return ["malformed", "the request body is not a JSON object"];
    }
    return undefined;
  };
  const refused = refusal();
  if (refused) twirpError(...refused);
  else o.handle(record.rpc as string, record.body as Record<string, unknown>, reply, twirpError);
}

/** Azure blob storage's answers to one request; each records the status it sent. */
export function azureAnswers(req: IncomingMessage, res: ServerResponse, record: RecordedServiceRequest) {
  const headers = (extra: Record<string, string | number> = {}) => ({
    "x-ms-request-id": randomUUID(),
    "x-ms-version": String(req.headers["x-ms-version"] ?? "2025-11-05"),
    date: new Date().toUTCString(),
    ...extra,
  });
  return {
    headers,
    error(status: number, code: string, message: string) {
      record.status = status;
      const xml = `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;
      res.writeHead(
        status,
        headers({
          "content-type": "application/xml",
          "content-length": Buffer.byteLength(xml),
          "x-ms-error-code": code,
        }),
      );
      res.end(xml);
    },
    /** 201 for a PUT (a blob, a block or a block list). */
    created(extra: Record<string, string> = {}) {
      record.status = 201;
      res.writeHead(201, headers({ "content-length": 0, "x-ms-request-server-encrypted": "true", ...extra }));
      res.end();
    },
  };
}

/** An Azure-style ETag for a committed blob. */
export function etagOf(data: Buffer): string {
  return `"0x${createHash("sha1").update(data).digest("hex").slice(0, 15).toUpperCase()}"`;
}

/**
 * Commits a `PUT ?comp=blocklist`: the staged blocks the XML names, in its order, or undefined when it
 * names a block that was not staged. The staged blocks are cleared.
 */
export function commitBlockList(raw: Buffer, staged: Map<string, Buffer>): Buffer | undefined {
  const ids = [...raw.toString("utf8").matchAll(/<(Latest|Uncommitted|Committed)>([^<]*)<\/\1>/g)].map((m) => m[2]);
  const parts: Buffer[] = [];
  for (const id of ids) {
    const block = staged.get(id as string);
    if (!block) return undefined;
    parts.push(block);
  }
  staged.clear();
  return Buffer.concat(parts);
}
