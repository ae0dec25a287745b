// What the processes loadgate starts may see of its environment (src/child-env.ts), which runs are
// trusted (a push, schedule or workflow_dispatch on the default branch), and what that decides: where
// a baseline may be stored and which Python environments a run may reuse.

import { mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { baseEnvOf, passEnvOf, toolEnvOf } from "../../src/child-env.js";
import { planAction } from "../../src/config/action-plan.js";
import { runtimeOf } from "../../src/config/cli-plan.js";
import { readEvent, untrustedReason } from "../../src/config/event.js";
import { loadStackFile } from "../../src/config/stack-file.js";
import { appBaseEnv } from "../../src/engine/prepare.js";
import { execCapture } from "../../src/exec.js";
import { ensurePythonEnv, venvDirFor } from "../../src/stack/python-env.js";
import { tempDir } from "../support/temp.js";
import { messageOf } from "../support/user-error.js";

/** What a GitHub Actions job's environment holds that no process loadgate starts may see. */
const SECRETS: Record<string, string> = {
  ACTIONS_RUNTIME_TOKEN: "runtime-secret",
  ACTIONS_RESULTS_URL: "https://results.example/",
  ACTIONS_CACHE_URL: "https://cache.example/",
  ACTIONS_ID_TOKEN_REQUEST_URL: "https://oidc.example/",
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: "oidc-secret",
  GITHUB_TOKEN: "ghs_job",
  GH_TOKEN: "ghs_cli",
  "INPUT_GITHUB-TOKEN": "ghs_input",
  INPUT_STACK: "stacks/x/stack.yml",
  GITHUB_ENV: "/runner/_temp/_runner_file_commands/set_env_1",
  GITHUB_STATE: "/runner/_temp/_runner_file_commands/save_state_1",
  GITHUB_OUTPUT: "/runner/_temp/_runner_file_commands/set_output_1",
  GITHUB_PATH: "/runner/_temp/_runner_file_commands/add_path_1",
  GITHUB_STEP_SUMMARY: "/runner/_temp/_runner_file_commands/step_summary_1",
  PIP_INDEX_URL: "https://user:pass@pypi.internal/simple",
  MY_APP_SECRET: "not named by the stack file",
};

const ORDINARY: Record<string, string> = {
  PATH: "/usr/local/bin:/usr/bin:/bin",
  HOME: "/home/runner",
  USER: "runner",
  LANG: "C.UTF-8",
  LC_ALL: "C.UTF-8",
  LC_TIME: "en_GB.UTF-8",
  TZ: "UTC",
  TMPDIR: "/tmp",
  HTTPS_PROXY: "http://proxy:3128",
  https_proxy: "http://proxy:3128",
  NO_PROXY: "localhost,127.0.0.1",
  no_proxy: "localhost",
  SSL_CERT_FILE: "/etc/ssl/certs/ca.pem",
  SSL_CERT_DIR: "/etc/ssl/certs",
  REQUESTS_CA_BUNDLE: "/etc/ssl/certs/ca.pem",
  NODE_EXTRA_CA_CERTS: "/etc/ssl/certs/ca.pem",
};

const JOB = { ...ORDINARY, ...SECRETS };

describe("the environment allowlist", () => {
  it("gives every process PATH, HOME, locale, TZ, TMPDIR, proxy and CA settings, and nothing else", () => {
    expect(baseEnvOf(JOB)).toEqual(ORDINARY);
  });

  it("gives pip its own PIP_* settings and git its own, and neither a token nor an input", () => {
    const pip = toolEnvOf("pip", JOB);
    expect(pip.PIP_INDEX_URL).toBe(SECRETS.PIP_INDEX_URL);
    expect(pip.PIP_NO_INPUT).toBe("1");
    const git = toolEnvOf("git", { ...JOB, GIT_CONFIG_COUNT: "1", GIT_DIR: "/elsewhere" }, { GIT_INDEX_FILE: "/t/i" });
    expect(git).toMatchObject({ GIT_TERMINAL_PROMPT: "0", LC_ALL: "C", GIT_CONFIG_COUNT: "1", GIT_INDEX_FILE: "/t/i" });
    expect(git.GIT_DIR).toBeUndefined();
    const apt = toolEnvOf("apt", JOB);
    expect(apt.DEBIAN_FRONTEND).toBe("noninteractive");
    for (const env of [pip, git, apt]) {
      for (const name of Object.keys(SECRETS).filter((n) => n !== "PIP_INDEX_URL"))
        expect(env[name], name).toBeUndefined();
    }
    expect(git.PIP_INDEX_URL).toBeUndefined();
  });

  it("passes the variables a stack file names in app.pass-env, and only those", () => {
    expect(passEnvOf(["MY_APP_SECRET", "UNSET_ONE"], JOB)).toEqual({ MY_APP_SECRET: "not named by the stack file" });
  });

  it("is what the run plan gives the app: the allowlist, app.pass-env, never the INPUT_* or ACTIONS_* variables", () => {
    const run = runtimeOf({ cwd: tmpdir(), env: JOB, isTTY: false }, "t");
    expect(run.baseEnv).toEqual(ORDINARY);
    const dir = tempDir("lg-pass-env-");
    writeFileSync(
      join(dir, "stack.yml"),
      "name: p\ndatabase: none\napp:\n  command: python3 app.py {port}\n  pass-env: [MY_APP_SECRET]\n",
    );
    const spec = loadStackFile(join(dir, "stack.yml"));
    expect(spec.app.passEnv).toEqual(["MY_APP_SECRET"]);
    const plan = { spec } as Parameters<typeof appBaseEnv>[1];
    expect(appBaseEnv(run, plan)).toEqual({ ...ORDINARY, MY_APP_SECRET: "not named by the stack file" });
  });

  it("refuses a pass-env entry that is not a variable name", () => {
    const dir = tempDir("lg-pass-env-");
    writeFileSync(
      join(dir, "stack.yml"),
      "name: p\ndatabase: none\napp:\n  command: python3 app.py {port}\n  pass-env: [INPUT_GITHUB-TOKEN]\n",
    );
    expect(messageOf(() => loadStackFile(join(dir, "stack.yml")))).toMatch(
      /stack\.yml:5:\d+: app\.pass-env\[0\]: expected a variable name: letters, digits and _, not starting with a digit \(e\.g\. SECRET_KEY\), found string "INPUT_GITHUB-TOKEN"\./,
    );
  });

  it("refuses in app.pass-env the runner's own variables, the inputs and the command files; a token only when named", () => {
    const dir = tempDir("lg-pass-env-");
    const names = "[GITHUB_TOKEN, ACTIONS_ID_TOKEN_REQUEST_TOKEN, INPUT_STACK, GITHUB_OUTPUT]";
    writeFileSync(
      join(dir, "stack.yml"),
      `name: p\ndatabase: none\napp:\n  command: python3 app.py {port}\n  pass-env: ${names}\n`,
    );
    const message = messageOf(() => loadStackFile(join(dir, "stack.yml")));
    expect(message).not.toMatch(/pass-env\[0\]/);
    expect(message).toMatch(
      /app\.pass-env\[1\]: ACTIONS_ID_TOKEN_REQUEST_TOKEN is the runner's own .* Remove it from the list\./,
    );
    expect(message).toMatch(/app\.pass-env\[2\]: INPUT_STACK is .*a step input/);
    expect(message).toMatch(/app\.pass-env\[3\]: GITHUB_OUTPUT is the path of one of the runner's command files/);
  });

  it("is what a helper command gets when its caller names no environment", { tags: ["spawns"] }, async () => {
    const saved = { ...process.env };
    Object.assign(process.env, SECRETS);
    try {
      const r = await execCapture("/usr/bin/env", []);
      const names = r.output.split("\n").map((l) => l.split("=")[0]);
      for (const name of Object.keys(SECRETS)) expect(names, name).not.toContain(name);
      expect(names).toContain("PATH");
    } finally {
      for (const k of Object.keys(SECRETS)) if (!(k in saved)) delete process.env[k];
    }
  });
});

/** A GitHub Actions environment for `event` with `payload`, as the runner writes it. */
function actionsEnv(name: string, ref: string, payload: object): Record<string, string> {
  const dir = tempDir("lg-event-");
  writeFileSync(join(dir, "event.json"), JSON.stringify(payload));
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    GITHUB_ACTIONS: "true",
    GITHUB_EVENT_NAME: name,
    GITHUB_EVENT_PATH: join(dir, "event.json"),
    GITHUB_REF: ref,
    GITHUB_REPOSITORY: "acme/shop",
    GITHUB_SHA: "a".repeat(40),
    GITHUB_WORKSPACE: dir,
    RUNNER_TEMP: dir,
  };
}

const REPO = { repository: { default_branch: "main", full_name: "acme/shop" } };
const PR = {
  ...REPO,
  number: 7,
  pull_request: {
    number: 7,
    base: { sha: "b".repeat(40), ref: "main", repo: { full_name: "acme/shop" } },
    head: { sha: "c".repeat(40), ref: "feature", repo: { full_name: "fork/shop", fork: true } },
  },
};
const WORKFLOW_RUN = {
  ...REPO,
  workflow_run: { head_sha: "c".repeat(40), head_branch: "feature", head_repository: { full_name: "fork/shop" } },
};

describe("mode: baseline stores only from the default branch's own code", () => {
  const plan = (env: Record<string, string>) =>
    planAction((name) => ({ mode: "baseline", stack: "test/fixtures/tiny" })[name] ?? "", {
      ...env,
      GITHUB_WORKSPACE: process.cwd(),
    });

  it.each([
    ["pull_request_target", PR, /a pull_request_target event, whose code may come from a pull request/],
    ["workflow_run", WORKFLOW_RUN, /a workflow_run event, whose code may come from a pull request/],
    ["pull_request", PR, /a pull_request event/],
    ["merge_group", REPO, /a merge_group event/],
    ["issue_comment", REPO, /an issue_comment event/],
  ])("refuses under %s although GITHUB_REF is the default branch", (name, payload, why) => {
    const message = messageOf(() => plan(actionsEnv(name, "refs/heads/main", payload)));
    expect(message).toMatch(/^mode: baseline: not stored: /);
    expect(message).toMatch(why);
    expect(message).toMatch(/Use mode: gate \(or auto\) here, and store baselines from a workflow on push/);
  });

  it("refuses a push, schedule or workflow_dispatch on another branch", () => {
    expect(messageOf(() => plan(actionsEnv("push", "refs/heads/feature", REPO)))).toMatch(
      /this run is on refs\/heads\/feature, not the default branch main/,
    );
    expect(messageOf(() => plan(actionsEnv("workflow_dispatch", "refs/heads/feature", REPO)))).toMatch(
      /not the default branch main/,
    );
    expect(messageOf(() => plan(actionsEnv("push", "refs/heads/main", {})))).toMatch(
      /payload does not name the repository's default branch/,
    );
  });

  it("stores under push, schedule and workflow_dispatch on the default branch", () => {
    for (const name of ["push", "workflow_dispatch"]) {
      const p = plan(actionsEnv(name, "refs/heads/main", REPO));
      expect(p.mode).toBe("baseline");
      expect(p.runtime.trustedRun).toBe(true);
    }
    // The schedule payload names no default branch; GitHub runs schedules only on it (the refresh recipe).
    const scheduled = plan(actionsEnv("schedule", "refs/heads/main", { schedule: "17 3 * * 1" }));
    expect(scheduled.mode).toBe("baseline");
    expect(scheduled.runtime.trustedRun).toBe(true);
  });

  it("decides by the event name, not the ref", () => {
    const event = readEvent(actionsEnv("pull_request_target", "refs/heads/main", PR));
    expect(event.ref).toBe("refs/heads/main");
    expect(untrustedReason(event)).toMatch(/pull_request_target/);
    expect(untrustedReason(readEvent(actionsEnv("push", "refs/heads/main", REPO)))).toBeNull();
  });
});

describe("Python environments of default-branch runs are kept apart", { tags: ["spawns"] }, () => {
  it("marks only a default-branch push, schedule or dispatch in GitHub Actions as trusted", () => {
    const trusted = (env: Record<string, string>) => runtimeOf({ cwd: tmpdir(), env, isTTY: false }, "t").trustedRun;
    expect(trusted(actionsEnv("push", "refs/heads/main", REPO))).toBe(true);
    expect(trusted(actionsEnv("pull_request_target", "refs/heads/main", PR))).toBe(false);
    expect(trusted(actionsEnv("workflow_run", "refs/heads/main", WORKFLOW_RUN))).toBe(false);
    expect(trusted(actionsEnv("pull_request", "refs/pull/7/merge", PR))).toBe(false);
    expect(trusted({ PATH: "/usr/bin:/bin" })).toBe(false);
    expect(trusted({ ...actionsEnv("push", "refs/heads/main", REPO), GITHUB_EVENT_PATH: "/nonexistent" })).toBe(false);
  });

  it("never reuses an environment another run made or ran its app from", async () => {
    const cache = tempDir("lg-venv-trust-");
    const requirements = join(cache, "requirements.txt");
    writeFileSync(requirements, "flask==3.1.0\n");
    const other = await venvDirFor(cache, requirements, "python3");
    const trustedDir = await venvDirFor(cache, requirements, "python3", [], true);
    expect(trustedDir).not.toBe(other);
    // A pull request's run left a complete-looking environment behind.
    mkdirSync(join(other, "bin"), { recursive: true });
    writeFileSync(join(other, ".loadgate-complete"), "x\n");
    const request = { cacheDir: cache, requirements, interpreter: "python3", install: false, log: () => {}, env: {} };
    expect((await ensurePythonEnv(request)).dir).toBe(other);
    const refused = await ensurePythonEnv({ ...request, trusted: true }).catch((err: Error) => err.message);
    expect(refused).toMatch(/^The Python environment for .* is not installed yet/);
    expect(refused).toContain(trustedDir);
  });
});
