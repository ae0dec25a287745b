// Runs a short helper command to completion (initdb, psql, git), as another user when asked.

import { spawn } from "node:child_process";
import { baseEnvOf } from "./child-env.js";

export interface ExecResult {
  code: number | null;
  output: string;
}

/**
 * Runs a short helper command (initdb, psql) to completion, capturing its output. Without `env`, it gets
 * the allowlist of src/child-env.ts, never loadgate's whole environment.
 */
export function execCapture(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; user?: { uid: number; gid: number }; timeoutMs?: number } = {},
): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: options.env ?? baseEnvOf(process.env),
      cwd: options.cwd,
      uid: options.user?.uid,
      gid: options.user?.gid,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d) => {
      output += d;
    });
    child.stderr.on("data", (d) => {
      output += d;
    });
    const timer = options.timeoutMs
      ? setTimeout(() => {
          output += `\n(killed after ${options.timeoutMs} ms)`;
          child.kill("SIGKILL");
        }, options.timeoutMs)
      : undefined;
    child.on("error", reject);
    child.on("close", (code) => {
      if (timer) clearTimeout(timer);
      resolve({ code, output });
    });
  });
}
