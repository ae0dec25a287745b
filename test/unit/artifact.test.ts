import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { artifactUrl, reportArtifactName, uploadFileArtifact } from "../../src/github/artifact.js";
import { type CapturedLog, captureActionsLog } from "../fakes/actions-log.js";
import {
  ARTIFACT_TWIRP_PREFIX,
  type FakeArtifactService,
  startFakeArtifactService,
} from "../fakes/artifact-service.js";

const RUN = { serverUrl: "https://github.com", owner: "acme", repo: "shop", runId: "4242" };

describe("the report artifact's name and link", () => {
  it("names the artifact after its stacks, in characters every artifact and file name takes", () => {
    expect(reportArtifactName(["shop", "api"])).toBe("loadgate-report-api-shop.html");
    expect(reportArtifactName(['a/b:"c"<d>'])).toBe("loadgate-report-a-b-c-d.html");
    expect(reportArtifactName([])).toBe("loadgate-report.html");
    expect(reportArtifactName(["x".repeat(300)])).toHaveLength("loadgate-report-.html".length + 80);
  });
  it("links the artifact's page in the run, or nothing when the runner did not say where the run is", () => {
    expect(artifactUrl(RUN, 7)).toBe("https://github.com/acme/shop/actions/runs/4242/artifacts/7");
    expect(artifactUrl({ ...RUN, runId: "" }, 7)).toBeUndefined();
    expect(artifactUrl({ ...RUN, serverUrl: "javascript:alert(1)" }, 7)).toBeUndefined();
  });
});

/**
 * Environment `@actions/artifact` 6 needs (read at call time): ACTIONS_RESULTS_URL and
 * ACTIONS_RUNTIME_TOKEN (a JWT naming the run and job) → the fake (fake.env); GITHUB_SERVER_URL must look
 * like github.com, or the client takes it for GHES and refuses to upload.
 */
describe("fake artifact service, driven by the real @actions/artifact", () => {
  let fake: FakeArtifactService | undefined;
  let log: CapturedLog;
  let dir: string;

  beforeEach(() => {
    log = captureActionsLog();
    dir = mkdtempSync(join(tmpdir(), "lg-artifact-"));
    vi.stubEnv("GITHUB_SERVER_URL", "https://github.com");
    vi.stubEnv("RUNNER_DEBUG", undefined);
  });
  afterEach(async () => {
    vi.unstubAllEnvs();
    log.restore();
    await fake?.close();
    fake = undefined;
    rmSync(dir, { recursive: true, force: true });
  });
  const useFake = async (options: Parameters<typeof startFakeArtifactService>[0] = {}) => {
    fake = await startFakeArtifactService(options);
    for (const [name, value] of Object.entries(fake.env)) vi.stubEnv(name, value);
    return fake;
  };

  it("uploads the HTML file unzipped, under its own name, and links its page", { timeout: 30_000 }, async () => {
    const service = await useFake();
    const file = join(dir, "loadgate-report-shop.html");
    const html = `<!doctype html><title>r</title>${"<p>x</p>".repeat(5000)}`;
    writeFileSync(file, html);
    const uploaded = await uploadFileArtifact(file, RUN);
    expect(uploaded).toEqual({
      id: 1,
      name: "loadgate-report-shop.html",
      url: "https://github.com/acme/shop/actions/runs/4242/artifacts/1",
    });
    const [artifact] = service.state.artifacts;
    expect(artifact).toMatchObject({ name: "loadgate-report-shop.html", version: 7, finalized: true });
    expect(artifact.mimeType).toBe("text/html");
    expect(artifact.blobContentType).toBe("text/html");
    // The file itself, not a zip of it, with the size and digest the client computed.
    expect(artifact.data?.toString("utf8")).toBe(readFileSync(file, "utf8"));
    expect(artifact.hash).toBe(`sha256:${createHash("sha256").update(html).digest("hex")}`);
    expect(service.state.requests.map((r) => r.rpc ?? `blob ${r.method} ${r.query.comp ?? ""}`)).toEqual([
      "CreateArtifact",
      "blob PUT block",
      "blob PUT blocklist",
      "FinalizeArtifact",
    ]);
  });

  it("refuses a second artifact of the same name in the run, as the service does", { timeout: 30_000 }, async () => {
    await useFake();
    const file = join(dir, "loadgate-report.html");
    writeFileSync(file, "<!doctype html>");
    await uploadFileArtifact(file, RUN);
    await expect(uploadFileArtifact(file, RUN)).rejects.toThrow(/409.*already exists/);
  });

  it("checks what the client says it uploaded, and whose token it is", async () => {
    const service = await useFake({ runBackendId: "run-1", jobBackendId: "job-1" });
    const call = (rpc: string, body: unknown, token = service.env.ACTIONS_RUNTIME_TOKEN) =>
      fetch(`${service.url}${ARTIFACT_TWIRP_PREFIX}${rpc}`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const ids = { workflow_run_backend_id: "run-1", workflow_job_run_backend_id: "job-1" };
    const created = (await (await call("CreateArtifact", { ...ids, name: "a.html", version: 7 })).json()) as {
      signed_upload_url: string;
    };
    const put = await fetch(created.signed_upload_url, {
      method: "PUT",
      headers: { "x-ms-blob-type": "BlockBlob" },
      body: "hello",
    });
    expect(put.status).toBe(201);
    const wrongSize = await call("FinalizeArtifact", { ...ids, name: "a.html", size: "6" });
    expect(wrongSize.status).toBe(400);
    expect(await wrongSize.json()).toMatchObject({ code: "invalid_argument", msg: /size 6 is not the 5 bytes/ });
    expect(
      (await call("FinalizeArtifact", { ...ids, workflow_job_run_backend_id: "job-2", name: "a.html" })).status,
    ).toBe(403);
    expect((await call("ListArtifacts", ids, "not-the-token")).status).toBe(401);
    expect((await call("FinalizeArtifact", { ...ids, name: "a.html", size: "5" })).status).toBe(200);
    const listed = (await (await call("ListArtifacts", ids)).json()) as { artifacts: { name: string }[] };
    expect(listed.artifacts.map((a) => a.name)).toEqual(["a.html"]);
  });
});
