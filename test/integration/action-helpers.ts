import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../support/temp.js";
import { ROOT } from "./helpers.js";

export interface ActionRun {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  state: Record<string, string>;
  runnerTemp: string;
}

/** Parses the GITHUB_OUTPUT / GITHUB_STATE file format (name<<delimiter … delimiter). */
export function parseCommandFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<=]+)<<(.+)$/.exec(lines[i]);
    if (!m) continue;
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== m[2]; i++) value.push(lines[i]);
    out[m[1]] = value.join("\n");
  }
  return out;
}

export function pushEvent(sha: string) {
  return {
    ref: "refs/heads/main",
    after: sha,
    repository: { full_name: "acme/shop", default_branch: "main", name: "shop", owner: { login: "acme" } },
  };
}

export function pullRequestEvent(number: number, headSha: string, baseSha: string, fork = false) {
  const base = { full_name: "acme/shop", fork: false };
  return {
    action: "synchronize",
    number,
    pull_request: {
      number,
      head: { sha: headSha, ref: "feature", repo: fork ? { full_name: "mallory/shop", fork: true } : base },
      base: { sha: baseSha, ref: "main", repo: base },
    },
    repository: { full_name: "acme/shop", default_branch: "main", name: "shop", owner: { login: "acme" } },
  };
}

export interface ActionEnvOptions {
  inputs: Record<string, string>;
  event: { name: string; payload: unknown };
  workspace: string;
  apiUrl: string;
  cacheEnv: Record<string, string>;
  extraEnv?: Record<string, string>;
  sha: string;
  entry?: "main" | "post";
  state?: Record<string, string>;
  runnerTemp?: string;
  onStdout?: (text: string, pid: number) => void;
}

/** Runs dist/main.js (or post.js) the way the runner does: INPUT_* variables, event payload, command files. */
export function runAction(o: ActionEnvOptions): Promise<ActionRun> {
  const runnerTemp = o.runnerTemp ?? tempDir("lg-runner-");
  mkdirSync(runnerTemp, { recursive: true });
  const eventPath = join(runnerTemp, "event.json");
  writeFileSync(eventPath, JSON.stringify(o.event.payload));
  const files = {
    output: join(runnerTemp, "output.txt"),
    summary: join(runnerTemp, "summary.md"),
    state: join(runnerTemp, "state.txt"),
  };
  for (const f of Object.values(files)) writeFileSync(f, "", { flag: "a" });
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: process.env.HOME ?? "/root",
    GITHUB_ACTIONS: "true",
    GITHUB_EVENT_NAME: o.event.name,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_REPOSITORY: "acme/shop",
    GITHUB_SHA: o.sha,
    GITHUB_REF: o.event.name === "push" ? "refs/heads/main" : "refs/pull/7/merge",
    GITHUB_WORKSPACE: o.workspace,
    GITHUB_API_URL: o.apiUrl,
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_STATE: files.state,
    RUNNER_TEMP: runnerTemp,
    // Where a run folder goes when RUNNER_TEMP (0700) is out of the database user's reach: the suite's folder.
    ...(process.env.TMPDIR ? { TMPDIR: process.env.TMPDIR } : {}),
    RUNNER_ENVIRONMENT: "github-hosted",
    ...o.cacheEnv,
    ...o.extraEnv,
  };
  for (const [k, v] of Object.entries(o.inputs)) env[`INPUT_${k.replace(/ /g, "_").toUpperCase()}`] = v;
  for (const [k, v] of Object.entries(o.state ?? {})) env[`STATE_${k}`] = v;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, `dist/${o.entry ?? "main"}.js`)], {
      cwd: o.workspace,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
      o.onStdout?.(stdout, child.pid!);
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 150_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({
        code,
        stdout,
        stderr,
        outputs: parseCommandFile(readFileSync(files.output, "utf8")),
        summary: readFileSync(files.summary, "utf8"),
        state: parseCommandFile(readFileSync(files.state, "utf8")),
        runnerTemp,
      });
    });
  });
}
