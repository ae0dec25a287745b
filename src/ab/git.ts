import { toolEnvOf } from "../child-env.js";
import { UserError } from "../errors.js";
import { execCapture } from "../exec.js";

async function git(cwd: string, args: string[]): Promise<string> {
  const r = await execCapture("git", args, { cwd, env: toolEnvOf("git", process.env) });
  if (r.code !== 0) throw new Error(`git ${args.join(" ")}: ${r.output.trim()}`);
  return r.output.trim();
}

export async function repoRoot(cwd: string): Promise<string> {
  try {
    return await git(cwd, ["rev-parse", "--show-toplevel"]);
  } catch {
    throw new UserError(`${cwd} is not inside a git repository; loadgate ab compares two commits of one.`);
  }
}

/** The commit a ref names, or a UserError that says what to do. */
export async function resolveCommit(root: string, ref: string, what: string): Promise<string> {
  try {
    return await git(root, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
  } catch {
    throw new UserError(
      `${what} ${JSON.stringify(ref)} is not a commit in this repository. Check the name, or fetch it (in GitHub Actions: actions/checkout with fetch-depth: 0).`,
    );
  }
}

export async function isCommit(root: string, ref: string): Promise<boolean> {
  return git(root, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]).then(
    () => true,
    () => false,
  );
}

export async function mergeBase(root: string, a: string, b: string): Promise<string> {
  try {
    return await git(root, ["merge-base", a, b]);
  } catch {
    throw new UserError(
      `No merge base of ${a.slice(0, 12)} and ${b.slice(0, 12)} in this checkout: the history is too shallow. Check out with full history (actions/checkout with fetch-depth: 0).`,
    );
  }
}

export async function addWorktree(root: string, dir: string, sha: string): Promise<void> {
  await git(root, ["worktree", "add", "--detach", "--force", dir, sha]);
}

export async function removeWorktree(root: string, dir: string): Promise<void> {
  await git(root, ["worktree", "remove", "--force", dir]).catch(() => undefined);
  await git(root, ["worktree", "prune"]).catch(() => undefined);
}
