import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { type Env, toolEnvOf } from "../child-env.js";
import { UserError } from "../errors.js";
import { execCapture } from "../exec.js";

const COMPLETE_MARK = ".loadgate-complete";

export interface PythonEnv {
  dir: string;
  bin: string;
  /** True when this call created it (pip ran). */
  created: boolean;
}

/** Where the virtualenvs of trusted runs (a default-branch push, schedule or dispatch) live, apart from all others. */
export const TRUSTED_VENVS = "venvs-default-branch";

/**
 * The virtualenv folder for a requirements file: keyed by the file's bytes and the interpreter, in a
 * folder of its own for trusted runs, so a default-branch run never reuses an environment that a
 * pull request's run made (its pip could have used another index) or ran its app from.
 */
export async function venvDirFor(
  cacheDir: string,
  requirements: string,
  interpreter: string,
  noDeps: readonly string[] = [],
  trusted = false,
): Promise<string> {
  const version = await execCapture(interpreter, ["-c", "import sys; print(sys.version)"]).catch(() => undefined);
  if (version?.code !== 0) {
    throw new UserError(
      `app.python: cannot run the interpreter "${interpreter}". Install Python 3 (apt-get install -y python3 python3-venv) or set app.python.python.`,
    );
  }
  const hash = createHash("sha256")
    .update(readFileSync(requirements))
    .update("\0")
    .update(version.output.trim())
    .update(noDeps.length ? `\0no-deps:${noDeps.join("\0")}` : "")
    .digest("hex")
    .slice(0, 16);
  return join(cacheDir, trusted ? TRUSTED_VENVS : "venvs", hash);
}

export interface PythonEnvRequest {
  cacheDir: string;
  requirements: string;
  interpreter: string;
  /** Create it with pip when missing (else a missing one is an error that says what to run). */
  install: boolean;
  log: (line: string) => void;
  /** app.python.no-deps: installed after the rest, without dependency pins. */
  noDeps?: readonly string[];
  /** A default-branch run: its environments are kept apart (see venvDirFor). */
  trusted?: boolean;
  /** loadgate's environment: pip gets the allowlist and its own PIP_* settings from it (src/child-env.ts). */
  env: Env;
}

/**
 * A virtualenv with the pinned requirements installed, cached by hash so the second run installs
 * nothing. Without `install`, a missing environment is an error that says what to run.
 */
export async function ensurePythonEnv(o: PythonEnvRequest): Promise<PythonEnv> {
  const { cacheDir, requirements, interpreter, install, log, noDeps = [], env } = o;
  const dir = await venvDirFor(cacheDir, requirements, interpreter, noDeps, o.trusted);
  const bin = join(dir, "bin");
  if (existsSync(join(dir, COMPLETE_MARK))) return { dir, bin, created: false };
  const rel = relative(process.cwd(), requirements) || requirements;
  if (!install) {
    throw new UserError(
      `The Python environment for ${rel} is not installed yet. Run again with --install to create it with pip (cached in ${dir}).`,
    );
  }
  // Built in place (a venv's scripts hard-code its path); the mark is written last, so a broken
  // or interrupted install is never taken for a complete one.
  const building = dir;
  rmSync(building, { recursive: true, force: true });
  mkdirSync(dirname(dir), { recursive: true });
  log(`Creating a virtualenv for ${rel} (pip install -r)`);
  const venv = await execCapture(interpreter, ["-m", "venv", building]);
  if (venv.code !== 0) {
    rmSync(building, { recursive: true, force: true });
    throw new UserError(
      `"${interpreter} -m venv" failed:\n${venv.output.trim().split("\n").slice(-10).join("\n")}\nOn Debian/Ubuntu install it with: apt-get install -y python3-venv`,
    );
  }
  const pip = await execCapture(
    join(building, "bin", "pip"),
    ["install", "--disable-pip-version-check", "--no-input", "-q", "-r", requirements],
    { env: toolEnvOf("pip", env) },
  );
  if (pip.code !== 0) {
    rmSync(building, { recursive: true, force: true });
    throw new UserError(
      `pip could not install ${rel}:\n${pip.output.trim().split("\n").slice(-15).join("\n")}\nFix the pins in ${rel} and run again.`,
    );
  }
  if (noDeps.length > 0) {
    // After the rest, without their own dependency pins: they build against what is installed.
    log(`Installing ${noDeps.join(", ")} without dependency pins (app.python.no-deps)`);
    const extra = await execCapture(
      join(building, "bin", "pip"),
      ["install", "--disable-pip-version-check", "--no-input", "-q", "--no-deps", "--no-build-isolation", ...noDeps],
      { env: toolEnvOf("pip", env) },
    );
    if (extra.code !== 0) {
      rmSync(building, { recursive: true, force: true });
      throw new UserError(
        `pip could not install ${noDeps.join(", ")} (app.python.no-deps, without dependency pins):\n${extra.output.trim().split("\n").slice(-15).join("\n")}\nThe packages it builds against (greenlet, setuptools, wheel, …) must be in ${rel}.`,
      );
    }
  }
  writeFileSync(join(building, COMPLETE_MARK), `${new Date().toISOString()}\n`);
  return { dir, bin, created: true };
}
