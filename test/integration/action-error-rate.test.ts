// The Action's max-error-rate input is part of each stack's final gate: it decides the engine's
// diagnosis and whether the logs are kept, not only the verdict and the baseline refusal.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeCacheService, startFakeCacheService } from "../fakes/cache-service.js";
import { pushEvent, runAction } from "./action-helpers.js";
import { markedProcesses, TINY_APP, TINY_PASS_ENV } from "./helpers.js";

const STACK = (app: string, errorRate: string) => `name: shop
pooler: none
database: none
proxy: none
app:
  command: python3 ${app} {port}
${TINY_PASS_ENV}  ready: { http: /test, timeout: 5s }
load:
  requests: [{ path: /test }]
  connections: 2
  warmup: 0.3s
  duration: 0.5s
  trials: 2
gate:
  error-rate: "${errorRate}"
`;

const DIAGNOSIS = /of the measured requests failed .* over the error-rate limit of/;

let cache: FakeCacheService;
const folders: string[] = [];

beforeAll(async () => {
  cache = await startFakeCacheService();
});
afterAll(async () => {
  await cache.close();
  for (const f of folders) rmSync(f, { recursive: true, force: true });
});

/** A push to main (mode: baseline) of the tiny app failing 30% of its requests. */
async function push(stackErrorRate: string, input: string, sha: string) {
  const workspace = mkdtempSync(join(tmpdir(), "lg-ws-errrate-"));
  const runnerTemp = mkdtempSync(join(tmpdir(), "lg-runner-errrate-"));
  folders.push(workspace, runnerTemp);
  writeFileSync(join(workspace, "stack.yml"), STACK(TINY_APP, stackErrorRate));
  const run = await runAction({
    inputs: { stack: "stack.yml", "max-error-rate": input },
    workspace,
    runnerTemp,
    apiUrl: "http://127.0.0.1:9",
    cacheEnv: cache.env,
    event: { name: "push", payload: pushEvent(sha) },
    sha,
    extraEnv: { TINY_MODE: "error-share", TINY_ERROR_SHARE: "0.3" },
  });
  const kept = /logs kept in (\S+)/.exec(run.stdout)?.[1];
  if (kept) folders.push(kept);
  return { run, kept };
}

describe("input max-error-rate reaches the stack's plan", () => {
  it("a limit above the failures: no diagnosis, no logs kept, the baseline stored", async () => {
    const { run, kept } = await push("<1%", "50%", "7".repeat(40));
    expect(run.stdout).not.toMatch(DIAGNOSIS);
    expect(kept).toBeUndefined();
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Saved the baseline of shop/);
    expect(markedProcesses()).toEqual([]);
  });

  it("a limit below the failures: the diagnosis names the input's limit, the logs are kept, no baseline", async () => {
    const { run, kept } = await push("<50%", "1%", "8".repeat(40));
    expect(run.stdout).toMatch(DIAGNOSIS);
    expect(run.stdout).toMatch(/over the error-rate limit of 1%/);
    expect(kept).toBeDefined();
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/no baseline stored/);
    expect(markedProcesses()).toEqual([]);
  });
});
