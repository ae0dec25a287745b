// The CLI's main() in this process, its output captured: for tests that need no child process.

import { main } from "../../src/cli/main.js";

export interface MainRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runMain(argv: string[], o: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<MainRun> {
  let stdout = "";
  let stderr = "";
  const code = await main({
    argv,
    cwd: o.cwd,
    env: o.env ?? {},
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    isTTY: false,
  });
  return { code, stdout, stderr };
}
