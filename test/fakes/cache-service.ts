/**
 * A fake of the GitHub Actions cache service v2 plus the blob storage behind it, good enough for the real
 * `saveCache` / `restoreCache` of `@actions/cache` (v6) to round-trip archives. Point the client at it with
 * the variables in `fake.env` (read by `@actions/cache` at call time, not import time):
 *
 *   ACTIONS_CACHE_SERVICE_V2=true        selects the v2 (twirp) protocol; anything non-empty does
 *   ACTIONS_RESULTS_URL=<fake url>/      base URL of the twirp service
 *   ACTIONS_RUNTIME_TOKEN=<token>        sent as `Authorization: Bearer <token>` to the twirp service
 *
 * and make sure GITHUB_SERVER_URL is unset, github.com, *.ghe.com or *.localhost: anything else counts as
 * GHES and silently switches the client to the v1 protocol. The client also needs RUNNER_TEMP (a writable
 * directory; the default is /home/actions/temp) and archives paths relative to GITHUB_WORKSPACE (default: cwd).
 *
 * Protocol, as `@actions/cache` 6.3 speaks it:
 *   POST /twirp/github.actions.results.api.v1.CacheService/<Method>, `Content-Type: application/json`, bodies
 *   in proto-JSON with the proto field names (snake_case; int64 as strings), defaults omitted:
 *     CreateCacheEntry          {key, version}                    → {ok, signed_upload_url, message}
 *     FinalizeCacheEntryUpload  {key, version, size_bytes: "123"} → {ok, entry_id: "7", message}
 *     GetCacheEntryDownloadURL  {key, restore_keys?, version}     → {ok, signed_download_url, matched_key}
 *   Errors are twirp errors: HTTP status + {"code": "...", "msg": "..."}. The client retries only 500/502/503/504
 *   (5 attempts, 3 s apart and growing), so this fake never answers 5xx on purpose.
 *
 *   Upload goes to `signed_upload_url` with the Azure SDK (`BlockBlobClient.uploadFile`): one `PUT` with
 *   `x-ms-blob-type: BlockBlob` up to 128 MiB, beyond that `PUT ?comp=block&blockid=…` per 64 MiB block and a
 *   final `PUT ?comp=blocklist` with an XML `<BlockList><Latest>id</Latest>…</BlockList>`. Every PUT must answer 201.
 *   Download of `signed_download_url` is a plain `GET` (http-client) because the host is not
 *   `*.blob.core.windows.net`; on real Azure hosts the SDK would send ranged GETs instead. Both are served
 *   (`Range` / `x-ms-range`), as is `HEAD`.
 *
 * Semantics modelled on the real service:
 *   - An entry is identified by key + version; `version` is a hash of the cached paths and compression method,
 *     so the same key saved from different paths makes two entries, and a lookup only sees its own version.
 *   - Entries are immutable: CreateCacheEntry for an existing key + version answers 409 `already_exists`
 *     ("cache entry with the same key, version, and scope already exists"). The client turns that into a
 *     ReserveCacheError, logs "Failed to save: Unable to reserve cache with key …" and saveCache returns -1.
 *   - Lookup: exact match of `key`, else the newest entry whose key starts with `key`, else for each restore
 *     key in order the newest entry whose key starts with it. Only finalized entries are found. No match:
 *     200 {ok: false} (restoreCache returns undefined).
 *   - `denyWrites`: CreateCacheEntry answers 200 {ok: false, message: "cache write denied: …"} as the service
 *     does for a read-only token (the client raises CacheWriteDeniedError and logs a warning).
 *     `denyReads`: GetCacheEntryDownloadURL answers 403 `permission_denied` "cache read denied: …".
 * Not modelled: branch scopes, eviction, quotas, SAS expiry.
 */
import { createHash, randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { listen, type RunningFake } from "./http.js";
import {
  azureAnswers,
  blobRecord,
  commitBlockList,
  etagOf,
  type RecordedServiceRequest,
  serveTwirp,
  type TwirpError,
  type TwirpReply,
} from "./results-service.js";

export const TWIRP_PREFIX = "/twirp/github.actions.results.api.v1.CacheService/";
const BLOB_PREFIX = "/devstoreaccount1/actions-cache/";

export interface FakeCacheEntry {
  id: number;
  key: string;
  version: string;
  /** `size_bytes` reported by FinalizeCacheEntryUpload; 0 until then. */
  size: number;
  createdAt: Date;
  finalized: boolean;
  /** The archive as committed to blob storage; undefined until uploaded. */
  data: Buffer | undefined;
}

export type RecordedCacheRequest = RecordedServiceRequest;

export interface FakeCacheState {
  /** All entries, in creation order, including ones still waiting for upload/finalize. */
  entries: FakeCacheEntry[];
  requests: RecordedCacheRequest[];
  /** Twirp calls of one method, in order. */
  calls(rpc: string): RecordedCacheRequest[];
}

export interface FakeCacheOptions {
  /** Only this bearer token is accepted; by default any non-empty bearer token is. */
  requireToken?: string;
  /** Behave as for a read-only cache token (pull requests from forks, ACTIONS_CACHE_MODE=read). */
  denyWrites?: boolean;
  /** Behave as for a token without readable cache scopes. */
  denyReads?: boolean;
}

export interface FakeCacheService extends RunningFake<FakeCacheState> {
  /** Environment that points `@actions/cache` at this fake (without RUNNER_TEMP / GITHUB_WORKSPACE). */
  env: Record<string, string>;
}

interface EntryInternals {
  uploadSig: string;
  downloadSig: string;
  /** Staged, uncommitted blocks by block id. */
  blocks: Map<string, Buffer>;
  etag: string;
  lastModified: Date;
}

export async function startFakeCacheService(options: FakeCacheOptions = {}): Promise<FakeCacheService> {
  const entries: FakeCacheEntry[] = [];
  const internals = new Map<FakeCacheEntry, EntryInternals>();
  const state: FakeCacheState = {
    entries,
    requests: [],
    calls: (rpc) => state.requests.filter((r) => r.kind === "twirp" && r.rpc === rpc),
  };
  let nextId = 1;
  let baseUrl = "";

  /** Newest first; ids break ties when two entries share a millisecond. */
  const newestFirst = (a: FakeCacheEntry, b: FakeCacheEntry) =>
    b.createdAt.getTime() - a.createdAt.getTime() || b.id - a.id;

  const lookup = (key: string, restoreKeys: string[], version: string): FakeCacheEntry | undefined => {
    const candidates = entries.filter((e) => e.finalized && e.version === version).sort(newestFirst);
    const exact = candidates.find((e) => e.key === key);
    if (exact) return exact;
    for (const prefix of [key, ...restoreKeys]) {
      const hit = candidates.find((e) => e.key.startsWith(prefix));
      if (hit) return hit;
    }
    return undefined;
  };

  const blobUrl = (entry: FakeCacheEntry, permissions: string, sig: string) => {
    const expiry = new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d{3}Z$/, "Z");
    const query = new URLSearchParams({ sv: "2024-11-04", sr: "b", sp: permissions, se: expiry, sig });
    return `${baseUrl}${BLOB_PREFIX}${entry.id}?${query}`;
  };

  const handleTwirp = (rpc: string, body: Record<string, unknown>, reply: TwirpReply, twirpError: TwirpError) => {
    const str = (snake: string, camel: string) => {
      const v = body[snake] ?? body[camel];
      return typeof v === "string" ? v : "";
    };
    const key = str("key", "key");
    const version = str("version", "version");
    switch (rpc) {
      case "CreateCacheEntry": {
        if (options.denyWrites) {
          return reply(200, { ok: false, message: "cache write denied: token has no writable scopes" });
        }
        if (!key || !version) return twirpError("invalid_argument", "key and version are required");
        if (entries.some((e) => e.key === key && e.version === version)) {
          return twirpError("already_exists", "cache entry with the same key, version, and scope already exists");
        }
        const entry: FakeCacheEntry = {
          id: nextId++,
          key,
          version,
          size: 0,
          createdAt: new Date(),
          finalized: false,
          data: undefined,
        };
        entries.push(entry);
        internals.set(entry, {
          uploadSig: randomBytes(12).toString("base64url"),
          downloadSig: randomBytes(12).toString("base64url"),
          blocks: new Map(),
          etag: "",
          lastModified: new Date(),
        });
        return reply(200, { ok: true, signed_upload_url: blobUrl(entry, "cw", internals.get(entry)!.uploadSig) });
      }
      case "FinalizeCacheEntryUpload": {
        if (options.denyWrites) {
          return reply(200, { ok: false, message: "cache write denied: token has no writable scopes" });
        }
        if (!key || !version) return twirpError("invalid_argument", "key and version are required");
        const entry = entries.find((e) => e.key === key && e.version === version && !e.finalized);
        if (!entry) return twirpError("not_found", "cache entry not found");
        if (!entry.data) return reply(200, { ok: false, message: `no blob was uploaded for cache key ${key}` });
        const size = body.size_bytes ?? body.sizeBytes;
        entry.size = Number(size ?? 0);
        entry.finalized = true;
        return reply(200, { ok: true, entry_id: String(entry.id) });
      }
      case "GetCacheEntryDownloadURL": {
        if (options.denyReads) {
          return twirpError("permission_denied", "cache read denied: token has no readable scopes");
        }
        if (!key || !version) return twirpError("invalid_argument", "key and version are required");
        const rk = body.restore_keys ?? body.restoreKeys;
        const restoreKeys = Array.isArray(rk) ? rk.filter((k): k is string => typeof k === "string") : [];
        const entry = lookup(key, restoreKeys, version);
        if (!entry) return reply(200, { ok: false, signed_download_url: "", matched_key: "" });
        return reply(200, {
          ok: true,
          signed_download_url: blobUrl(entry, "r", internals.get(entry)!.downloadSig),
          matched_key: entry.key,
        });
      }
      default:
        return twirpError("bad_route", `no handler for path "${TWIRP_PREFIX}${rpc}"`);
    }
  };

  const handleBlob = (
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    raw: Buffer,
    record: RecordedCacheRequest,
  ) => {
    const { headers: azureHeaders, error: azureError, created } = azureAnswers(req, res, record);

    const id = Number(url.pathname.slice(BLOB_PREFIX.length));
    const entry = entries.find((e) => e.id === id);
    const inner = entry && internals.get(entry);
    if (!entry || !inner) return azureError(404, "BlobNotFound", "The specified blob does not exist.");
    const sig = url.searchParams.get("sig");
    const method = req.method ?? "GET";

    if (method === "PUT") {
      // The upload URL stops working once the entry is finalized: entries are immutable.
      if (sig !== inner.uploadSig || entry.finalized) {
        return azureError(403, "AuthenticationFailed", "Server failed to authenticate the request.");
      }
      const md5 = createHash("md5").update(raw).digest("base64");
      const comp = url.searchParams.get("comp");
      const commit = (data: Buffer) => {
        entry.data = data;
        inner.etag = etagOf(data);
        inner.lastModified = new Date();
        return { etag: inner.etag, "last-modified": inner.lastModified.toUTCString() };
      };
      if (comp === null) {
        if (req.headers["x-ms-blob-type"] !== "BlockBlob") {
          return azureError(400, "InvalidHeaderValue", "The value for x-ms-blob-type is missing or invalid.");
        }
        return created({ ...commit(raw), "content-md5": md5 });
      }
      if (comp === "block") {
        const blockId = url.searchParams.get("blockid");
        if (!blockId) return azureError(400, "InvalidQueryParameterValue", "blockid is required.");
        inner.blocks.set(blockId, raw);
        return created({ "content-md5": md5 });
      }
      if (comp === "blocklist") {
        const data = commitBlockList(raw, inner.blocks);
        if (!data) return azureError(400, "InvalidBlockList", "The specified block list is invalid.");
        return created(commit(data));
      }
      return azureError(400, "InvalidQueryParameterValue", `comp=${comp} is not supported by the fake.`);
    }

    if (method === "GET" || method === "HEAD") {
      if (sig !== inner.downloadSig) {
        return azureError(403, "AuthenticationFailed", "Server failed to authenticate the request.");
      }
      const data = entry.data;
      if (!data) return azureError(404, "BlobNotFound", "The specified blob does not exist.");
      const headers: Record<string, string | number> = {
        "content-type": "application/octet-stream",
        "accept-ranges": "bytes",
        "x-ms-blob-type": "BlockBlob",
        etag: inner.etag,
        "last-modified": inner.lastModified.toUTCString(),
      };
      const range = String(req.headers["x-ms-range"] ?? req.headers.range ?? "");
      const m = /^bytes=(\d+)-(\d*)$/.exec(range);
      let status = 200;
      let slice = data;
      if (m) {
        const start = Number(m[1]);
        const end = Math.min(m[2] ? Number(m[2]) : data.length - 1, data.length - 1);
        if (start >= data.length || end < start) {
          return azureError(
            416,
            "InvalidRange",
            "The range specified is invalid for the current size of the resource.",
          );
        }
        status = 206;
        slice = data.subarray(start, end + 1);
        headers["content-range"] = `bytes ${start}-${end}/${data.length}`;
      }
      headers["content-length"] = slice.length;
      record.status = status;
      res.writeHead(status, azureHeaders(headers));
      res.end(method === "HEAD" ? undefined : slice);
      return;
    }

    return azureError(405, "UnsupportedHttpVerb", "The resource doesn't support the specified HTTP verb.");
  };

  const fake = await listen(state, (req, res, raw) => {
    const url = new URL(req.url ?? "/", "http://fake");
    if (url.pathname.startsWith(BLOB_PREFIX)) {
      const record = blobRecord(req, url, raw, [
        "x-ms-blob-type",
        "x-ms-range",
        "range",
        "content-length",
        "x-ms-version",
      ]);
      state.requests.push(record);
      return handleBlob(req, res, url, raw, record);
    }
    serveTwirp(req, res, url, raw, {
      prefix: TWIRP_PREFIX,
      requests: state.requests,
      acceptsToken: (bearer) => !!bearer && (options.requireToken === undefined || bearer === options.requireToken),
      otherStatus: 500,
      handle: handleTwirp,
    });
  });
  baseUrl = fake.url;
  return {
    ...fake,
    env: {
      ACTIONS_CACHE_SERVICE_V2: "true",
      ACTIONS_RESULTS_URL: `${fake.url}/`,
      ACTIONS_RUNTIME_TOKEN: options.requireToken ?? "fake-runtime-token",
    },
  };
}
