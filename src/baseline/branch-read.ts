// Reads one file of a branch of a local git repository, read-only (`git show <ref>:<path>`): the
// data branch's history for `loadgate history --branch`.

import { UserError } from "../errors.js";
import { execCapture } from "../exec.js";

/**
 * The text of `path` on `branch` of the repository at `repoDir`: the local branch, else the
 * remote-tracking `origin/<branch>`. No such repository, branch or file is a UserError.
 */
export async function readBranchFile(repoDir: string, branch: string, path: string): Promise<string> {
  const git = (args: string[]) =>
    execCapture("git", args, {
      cwd: repoDir,
      env: { ...process.env, GIT_TERMINAL_PROMPT: "0", LC_ALL: "C" },
      timeoutMs: 60_000,
    });
  const inside = await git(["rev-parse", "--git-dir"]);
  if (inside.code !== 0)
    throw new UserError(`--branch: ${repoDir} is not inside a git repository; run in one, or give --from FILE.`);
  for (const ref of [`refs/heads/${branch}`, `refs/remotes/origin/${branch}`]) {
    const exists = await git(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
    if (exists.code !== 0) continue;
    const shown = await git(["show", `${ref}:${path}`]);
    if (shown.code !== 0) {
      throw new UserError(
        `--branch: ${branch} has no ${path}: no baseline of this stack was stored there (baseline-store: branch).`,
      );
    }
    return shown.output;
  }
  throw new UserError(
    `--branch: no branch ${branch} in this repository (nor origin/${branch}). Fetch it first: git fetch origin ${branch}:${branch}`,
  );
}
