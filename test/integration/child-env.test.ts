// What the code under test sees of the job's environment: through the real CLI and the real stack
// (PostgreSQL, database.setup, app.setup, the app), and what git gets when the data-branch store
// fetches and pushes. A GitHub Actions job's tokens, its inputs and the paths of its command files
// must reach none of them (src/child-env.ts); a variable the stack file names in app.pass-env does.

import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BranchBaselineStore } from "../../src/baseline/branch-store.js";
import { type ResultDocument, SCHEMA_VERSION } from "../../src/result/types.js";
import { around, result } from "../support/results.js";
import { tempDir } from "../support/temp.js";
import { gitIn } from "./git-repo.js";
import { expectNothingLeft, runCli, TINY_APP } from "./helpers.js";

/** What a GitHub Actions job's environment holds that no process loadgate starts may see. */
const SECRETS: Record<string, string> = {
  ACTIONS_RUNTIME_TOKEN: "runtime-secret",
  ACTIONS_RESULTS_URL: "https://results.example/",
  ACTIONS_ID_TOKEN_REQUEST_URL: "https://oidc.example/",
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: "oidc-secret",
  GITHUB_TOKEN: "ghs_job",
  GH_TOKEN: "ghs_cli",
  "INPUT_GITHUB-TOKEN": "ghs_input",
  GITHUB_ENV: "/nonexistent/set_env",
  GITHUB_STATE: "/nonexistent/save_state",
  GITHUB_OUTPUT: "/nonexistent/set_output",
  GITHUB_PATH: "/nonexistent/add_path",
  GITHUB_STEP_SUMMARY: "/nonexistent/step_summary",
  LG_NOT_NAMED: "not named by the stack file",
};

/** The names in an `env` dump. */
function namesIn(file: string): string[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => /^[^=\s]+=/.test(l))
    .map((l) => l.slice(0, l.indexOf("=")));
}

function expectNoSecrets(file: string): void {
  const names = namesIn(file);
  for (const name of Object.keys(SECRETS)) expect(names, `${name} in ${file}`).not.toContain(name);
}

describe("the code under test gets the allowlist, never the job's secrets", () => {
  it("the app, app.setup and database.setup see none of the job's tokens, inputs or command files; app.pass-env passes what it names", async () => {
    const dir = tempDir("lg-child-env-");
    const out = join(dir, "out");
    mkdirSync(out);
    chmodSync(out, 0o777); // run as root, the app and its setup commands run as an unprivileged user
    writeFileSync(join(dir, "schema.sql"), "create table t (a int primary key);\n");
    writeFileSync(
      join(dir, "stack.yml"),
      `name: child-env
database:
  schema: schema.sql
  setup: "env > ${out}/database-setup.env"
pooler: none
proxy: none
app:
  command: env > ${out}/app.env; exec python3 ${TINY_APP} {port}
  setup: "env > ${out}/app-setup.env"
  env: { LG_FROM_STACK: declared }
  pass-env: [LG_PASSED, LG_UNSET]
  ready: { http: /test, timeout: 10s }
load:
  connections: 2
  warmup: 0.3s
  duration: 0.5s
  trials: 2
`,
    );
    const run = await runCli(["run", dir], { env: { ...SECRETS, LG_PASSED: "named in pass-env" } });
    expect(run.code, run.stderr).toBe(0);
    for (const name of ["app", "app-setup", "database-setup"]) {
      const file = join(out, `${name}.env`);
      expect(existsSync(file), `${name} ran`).toBe(true);
      expectNoSecrets(file);
      const text = readFileSync(file, "utf8");
      expect(text).toContain("LG_PASSED=named in pass-env\n");
      expect(text).toContain("LG_FROM_STACK=declared\n");
      expect(namesIn(file)).toContain("PATH");
      expect(namesIn(file)).not.toContain("LG_UNSET");
    }
    expect(readFileSync(join(out, "database-setup.env"), "utf8")).toMatch(/^DATABASE_URL=postgresql:\/\//m);
    expectNothingLeft(run);
  });
});

describe("git gets no token and no input", () => {
  it("the data-branch store's fetch and push run git without INPUT_GITHUB-TOKEN or the job's tokens", async () => {
    const root = tempDir("lg-child-env-git-");
    const bare = join(root, "origin.git");
    gitIn(root, "init", "-q", "--bare", "-b", "main", bare);
    const clone = join(root, "clone");
    gitIn(root, "clone", "-q", bare, clone);
    writeFileSync(join(clone, "README"), "app\n");
    gitIn(clone, "add", "README");
    gitIn(clone, "commit", "-q", "-m", "app");
    gitIn(clone, "push", "-q", "origin", "main");
    // git runs these on the remote's side with its own environment: they record what git was given.
    gitIn(clone, "config", "remote.origin.uploadpack", `env > ${root}/fetch.env; git-upload-pack`);
    gitIn(clone, "config", "remote.origin.receivepack", `env > ${root}/push.env; git-receive-pack`);
    const added = Object.keys(SECRETS).filter((k) => !(k in process.env));
    Object.assign(process.env, SECRETS);
    try {
      const store = new BranchBaselineStore({
        repoDir: clone,
        branch: "loadgate-data",
        writeRefused: null,
        tmpDir: root,
        log: () => undefined,
      });
      const doc: ResultDocument = {
        schemaVersion: SCHEMA_VERSION,
        tool: { name: "loadgate", version: "test" },
        createdAt: new Date().toISOString(),
        commit: { sha: "1".repeat(40), ref: "refs/heads/main" },
        results: [result(around(1000, 40))],
      };
      const stack = doc.results[0]!.stack.name;
      await store.save(stack, doc.results[0]!.environment.id, "1".repeat(40), doc);
    } finally {
      for (const k of added) delete process.env[k];
    }
    expect(gitIn(bare, "rev-list", "--count", "loadgate-data")).toBe("1");
    for (const f of ["fetch.env", "push.env"]) {
      expect(existsSync(join(root, f)), f).toBe(true);
      expectNoSecrets(join(root, f));
    }
  });
});
