/**
 * A fake of the GitHub Actions artifact service (v4 artifacts, the results service's twirp API) plus
 * the blob storage behind it, good enough for the real `uploadArtifact` of `@actions/artifact` (v6)
 * to upload. Point the client at it with the variables in `fake.env` (read at call time):
 *
 *   ACTIONS_RESULTS_URL=<fake url>/      base URL of the twirp service (the client keeps only its origin)
 *   ACTIONS_RUNTIME_TOKEN=<jwt>          a JWT whose `scp` claim holds
 *                                        `Actions.Results:<run backend id>:<job backend id>`; the client
 *                                        decodes it (without checking the signature) for the two ids and
 *                                        sends it as `Authorization: Bearer <jwt>`
 *
 * and keep GITHUB_SERVER_URL unset, github.com, *.ghe.com or *.localhost: anything else counts as GHES,
 * where the client refuses to upload (GHESNotSupportedError) before any request.
 *
 * Protocol, as `@actions/artifact` 6.2 speaks it:
 *   POST /twirp/github.actions.results.api.v1.ArtifactService/<Method>, `Content-Type: application/json`,
 *   proto-JSON bodies with the proto field names (snake_case; int64 as strings), defaults omitted:
 *     CreateArtifact   {workflow_run_backend_id, workflow_job_run_backend_id, name, version: 7,
 *                       mime_type?: "text/html", expires_at?}            → {ok, signed_upload_url}
 *     FinalizeArtifact {workflow_run_backend_id, workflow_job_run_backend_id, name, size: "123",
 *                       hash?: "sha256:<hex>"}                           → {ok, artifact_id: "7"}
 *     ListArtifacts    {workflow_run_backend_id, workflow_job_run_backend_id, name_filter?, id_filter?}
 *                                                                        → {artifacts: [...]}
 *   (`StringValue` wrappers such as mime_type and hash are plain strings in proto-JSON.) Errors are twirp
 *   errors: HTTP status + {"code", "msg"}; the client retries 500/502/503/504/429 only, so this fake never
 *   answers those on purpose.
 *
 *   Upload goes to `signed_upload_url` with the Azure SDK (`BlockBlobClient.uploadStream`): a
 *   `PUT ?comp=block&blockid=…` per 8 MiB chunk, then `PUT ?comp=blocklist` with an XML block list and the
 *   content type in `x-ms-blob-content-type`. A single `PUT` with `x-ms-blob-type: BlockBlob` is served too.
 *   Every PUT answers 201.
 *
 * Semantics modelled on the real service:
 *   - Artifacts are per workflow run and named uniquely in it: CreateArtifact for a name the run already
 *     has answers 409 `already_exists`.
 *   - FinalizeArtifact checks what was uploaded: no blob, a `size` that is not the blob's length, or a
 *     `hash` that is not its SHA-256 answer 400 `invalid_argument`; only finalized artifacts are listed.
 *   - The run and job ids in the request must be the token's; others answer 403 `permission_denied`.
 * Not modelled: retention (`expires_at` is recorded, not enforced), downloads, deletion, quotas.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
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

export const ARTIFACT_TWIRP_PREFIX = "/twirp/github.actions.results.api.v1.ArtifactService/";
const BLOB_PREFIX = "/devstoreaccount1/actions-results/";

export interface FakeArtifact {
  id: number;
  name: string;
  runBackendId: string;
  jobBackendId: string;
  version: number;
  mimeType: string | undefined;
  expiresAt: string | undefined;
  /** What was committed to blob storage; undefined until uploaded. */
  data: Buffer | undefined;
  /** Content type given with the committed blob (x-ms-blob-content-type). */
  blobContentType: string | undefined;
  size: number;
  hash: string | undefined;
  finalized: boolean;
  createdAt: Date;
}

export type RecordedArtifactRequest = RecordedServiceRequest;

export interface FakeArtifactState {
  artifacts: FakeArtifact[];
  requests: RecordedArtifactRequest[];
  calls(rpc: string): RecordedArtifactRequest[];
}

export interface FakeArtifactOptions {
  /** The workflow run and job the runtime token is for. */
  runBackendId?: string;
  jobBackendId?: string;
  /** CreateArtifact answers {ok: false}, as for a token that may not write artifacts. */
  denyWrites?: boolean;
}

export interface FakeArtifactService extends RunningFake<FakeArtifactState> {
  /** Environment that points `@actions/artifact` at this fake. */
  env: Record<string, string>;
}

/** An unsigned JWT with the claims the client reads. */
export function runtimeToken(runBackendId: string, jobBackendId: string): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const claims = { scp: `Actions.GenericRead:x Actions.Results:${runBackendId}:${jobBackendId}`, iss: "fake" };
  return `${part({ alg: "none", typ: "JWT" })}.${part(claims)}.`;
}

export async function startFakeArtifactService(options: FakeArtifactOptions = {}): Promise<FakeArtifactService> {
  const runBackendId = options.runBackendId ?? randomUUID();
  const jobBackendId = options.jobBackendId ?? randomUUID();
  const token = runtimeToken(runBackendId, jobBackendId);
  const artifacts: FakeArtifact[] = [];
  const uploads = new Map<FakeArtifact, { sig: string; blocks: Map<string, Buffer> }>();
  const state: FakeArtifactState = {
    artifacts,
    requests: [],
    calls: (rpc) => state.requests.filter((r) => r.kind === "twirp" && r.rpc === rpc),
  };
  let nextId = 1;
  let baseUrl = "";

  const handleTwirp = (rpc: string, body: Record<string, unknown>, reply: TwirpReply, twirpError: TwirpError) => {
    const str = (k: string) => (typeof body[k] === "string" ? (body[k] as string) : "");
    const run = str("workflow_run_backend_id");
    const job = str("workflow_job_run_backend_id");
    if (!run || !job)
      return twirpError("invalid_argument", "workflow_run_backend_id and workflow_job_run_backend_id are required");
    if (run !== runBackendId || job !== jobBackendId) {
      return twirpError("permission_denied", "the token is not for this workflow run and job");
    }
    const name = str("name");
    switch (rpc) {
      case "CreateArtifact": {
        if (options.denyWrites) return reply(200, { ok: false, signed_upload_url: "" });
        if (!name) return twirpError("invalid_argument", "name is required");
        if (artifacts.some((a) => a.runBackendId === run && a.name === name)) {
          return twirpError("already_exists", `an artifact with the name ${name} already exists on this run`);
        }
        const artifact: FakeArtifact = {
          id: nextId++,
          name,
          runBackendId: run,
          jobBackendId: job,
          version: Number(body.version ?? 0),
          mimeType: typeof body.mime_type === "string" ? body.mime_type : undefined,
          expiresAt: typeof body.expires_at === "string" ? body.expires_at : undefined,
          data: undefined,
          blobContentType: undefined,
          size: 0,
          hash: undefined,
          finalized: false,
          createdAt: new Date(),
        };
        artifacts.push(artifact);
        const sig = randomBytes(12).toString("base64url");
        uploads.set(artifact, { sig, blocks: new Map() });
        const query = new URLSearchParams({ sv: "2024-11-04", sr: "b", sp: "cw", sig });
        return reply(200, { ok: true, signed_upload_url: `${baseUrl}${BLOB_PREFIX}${artifact.id}?${query}` });
      }
      case "FinalizeArtifact": {
        const artifact = artifacts.find((a) => a.runBackendId === run && a.name === name && !a.finalized);
        if (!artifact) return twirpError("not_found", `no artifact named ${name} waits to be finalized`);
        if (!artifact.data) return twirpError("invalid_argument", `nothing was uploaded for ${name}`);
        if (Number(body.size) !== artifact.data.length) {
          return twirpError(
            "invalid_argument",
            `size ${String(body.size)} is not the ${artifact.data.length} bytes uploaded`,
          );
        }
        const sha = `sha256:${createHash("sha256").update(artifact.data).digest("hex")}`;
        if (body.hash !== undefined && body.hash !== sha) {
          return twirpError("invalid_argument", `hash ${String(body.hash)} is not the upload's ${sha}`);
        }
        artifact.size = artifact.data.length;
        artifact.hash = sha;
        artifact.finalized = true;
        return reply(200, { ok: true, artifact_id: String(artifact.id) });
      }
      case "ListArtifacts": {
        const nameFilter = typeof body.name_filter === "string" ? body.name_filter : undefined;
        const idFilter = body.id_filter === undefined ? undefined : Number(body.id_filter);
        const listed = artifacts.filter(
          (a) =>
            a.finalized &&
            a.runBackendId === run &&
            (nameFilter === undefined || a.name === nameFilter) &&
            (idFilter === undefined || a.id === idFilter),
        );
        return reply(200, {
          artifacts: listed.map((a) => ({
            workflow_run_backend_id: a.runBackendId,
            workflow_job_run_backend_id: a.jobBackendId,
            database_id: String(a.id),
            name: a.name,
            size: String(a.size),
            created_at: a.createdAt.toISOString(),
            digest: a.hash,
          })),
        });
      }
      default:
        return twirpError("bad_route", `no handler for path "${ARTIFACT_TWIRP_PREFIX}${rpc}"`);
    }
  };

  const handleBlob = (
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    raw: Buffer,
    record: RecordedArtifactRequest,
  ) => {
    const { error: azureError, created } = azureAnswers(req, res, record);
    const artifact = artifacts.find((a) => a.id === Number(url.pathname.slice(BLOB_PREFIX.length)));
    const upload = artifact && uploads.get(artifact);
    if (!artifact || !upload) return azureError(404, "BlobNotFound", "The specified blob does not exist.");
    if (req.method !== "PUT") return azureError(405, "UnsupportedHttpVerb", "The fake serves uploads only.");
    // The upload URL stops working once the artifact is finalized.
    if (url.searchParams.get("sig") !== upload.sig || artifact.finalized) {
      return azureError(403, "AuthenticationFailed", "Server failed to authenticate the request.");
    }
    const commit = (data: Buffer) => {
      artifact.data = data;
      artifact.blobContentType = req.headers["x-ms-blob-content-type"] as string | undefined;
      return created({ etag: etagOf(data), "last-modified": new Date().toUTCString() });
    };
    const comp = url.searchParams.get("comp");
    if (comp === null) {
      if (req.headers["x-ms-blob-type"] !== "BlockBlob") {
        return azureError(400, "InvalidHeaderValue", "The value for x-ms-blob-type is missing or invalid.");
      }
      return commit(raw);
    }
    if (comp === "block") {
      const blockId = url.searchParams.get("blockid");
      if (!blockId) return azureError(400, "InvalidQueryParameterValue", "blockid is required.");
      upload.blocks.set(blockId, raw);
      return created();
    }
    if (comp === "blocklist") {
      const data = commitBlockList(raw, upload.blocks);
      if (!data) return azureError(400, "InvalidBlockList", "The specified block list is invalid.");
      return commit(data);
    }
    return azureError(400, "InvalidQueryParameterValue", `comp=${comp} is not supported by the fake.`);
  };

  const fake = await listen(state, (req, res, raw) => {
    const url = new URL(req.url ?? "/", "http://fake");
    if (url.pathname.startsWith(BLOB_PREFIX)) {
      const record = blobRecord(req, url, raw, [
        "x-ms-blob-type",
        "x-ms-blob-content-type",
        "content-length",
        "x-ms-version",
      ]);
      state.requests.push(record);
      return handleBlob(req, res, url, raw, record);
    }
    serveTwirp(req, res, url, raw, {
      prefix: ARTIFACT_TWIRP_PREFIX,
      requests: state.requests,
      acceptsToken: (bearer) => bearer === token,
      otherStatus: 400,
      handle: handleTwirp,
    });
  });
  baseUrl = fake.url;
  return {
    ...fake,
    env: { ACTIONS_RESULTS_URL: `${fake.url}/`, ACTIONS_RUNTIME_TOKEN: token },
  };
}
