// vitest globalSetup of the integration tests: `python3` on PATH as the interpreter itself, not a
// version manager's shim (pyenv's is a bash script that runs several more). The test stacks start
// `python3` hundreds of times, and the cost runs start it under valgrind, which follows every
// process the shim runs: there one start took 12 s instead of 1 s. The interpreter is the one the
// shim picks (same sys.version, so the same cached virtualenvs); nothing changes without a shim.
import { execFileSync } from "node:child_process";
import { accessSync, constants, realpathSync } from "node:fs";
import { dirname, join } from "node:path";

function firstOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(":")) {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not here
    }
  }
  return undefined;
}

export default function setup(): void {
  const found = firstOnPath("python3");
  if (!found) return;
  let exe: string;
  try {
    exe = execFileSync(found, ["-c", "import sys; print(sys.executable)"], { encoding: "utf8" }).trim();
  } catch {
    return;
  }
  if (!exe || realpathSync(found) === realpathSync(exe)) return;
  process.env.PATH = `${dirname(exe)}:${process.env.PATH}`;
}
