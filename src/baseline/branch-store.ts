import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { toolEnvOf } from "../child-env.js";
import { UserError } from "../errors.js";
import { execCapture } from "../exec.js";
import type { ResultDocument } from "../result/types.js";
import {
  appendEntry,
  type BranchHistory,
  branchPath,
  newestComparable,
  newestOfAny,
  parseBranchHistory,
  serialize,
} from "./branch-data.js";
import type { BaselineStore, StoredBaseline } from "./store.js";

/** Pushes tried when another job moved the branch in between (non-fast-forward). */
const PUSH_ATTEMPTS = 6;
const COMMITTER = {
  GIT_AUTHOR_NAME: "github-actions[bot]",
  GIT_AUTHOR_EMAIL: "41898282+github-actions[bot]@users.noreply.github.com",
  GIT_COMMITTER_NAME: "github-actions[bot]",
  GIT_COMMITTER_EMAIL: "41898282+github-actions[bot]@users.noreply.github.com",
};

export interface BranchStoreOptions {
  /** The repository's checkout (its `origin` is the repository). */
  repoDir: string;
  branch: string;
  /** Why this run may not write (not the default branch), or null when it may. */
  writeRefused: string | null;
  tmpDir: string;
  log: (line: string) => void;
  /** Waits between push attempts (tests pass a short one). */
  backoffMs?: (attempt: number) => number;
  /** Called before each push (tests use it to make another writer win the race deterministically). */
  beforePush?: (attempt: number) => Promise<void>;
  /** Entries and bytes kept per stack (default BRANCH_ENTRY_LIMIT, BRANCH_FILE_LIMIT). */
  limits?: { entries: number; bytes: number };
}

/**
 * Baselines on a dedicated branch of the repository: one JSON history per stack, appended on every
 * baseline of the default branch, read by pull requests. Written with git plumbing (a temporary
 * index, commit-tree, push), so the checkout's work tree and branches are never touched; a push
 * that loses a race with another job is fetched, re-applied and retried.
 */
export class BranchBaselineStore implements BaselineStore {
  private readonly localRef: string;

  constructor(private readonly o: BranchStoreOptions) {
    this.localRef = `refs/loadgate/${o.branch}`;
  }

  private async git(
    args: string[],
    env: Record<string, string> = {},
  ): Promise<{ code: number | null; output: string }> {
    return execCapture("git", args, {
      cwd: this.o.repoDir,
      // The allowlist and git's own settings only: the push uses the checkout's credentials (.git/config),
      // so no token and no INPUT_* variable is in git's environment.
      env: toolEnvOf("git", process.env, env),
      timeoutMs: 120_000,
    });
  }

  private async gitOk(args: string[], env: Record<string, string> = {}): Promise<string> {
    const r = await this.git(args, env);
    if (r.code !== 0) throw new Error(`git ${args[0]} failed: ${r.output.trim().split("\n").slice(-3).join(" ")}`);
    return r.output.trim();
  }

  /** Fetches the data branch; its commit, or null when it does not exist yet. */
  private async fetch(): Promise<string | null> {
    // --refmap= : only our own ref is written (no opportunistic update of refs/remotes/origin/*).
    const args = [
      "fetch",
      "--no-tags",
      "--quiet",
      "--refmap=",
      "origin",
      `+refs/heads/${this.o.branch}:${this.localRef}`,
    ];
    let r = await this.git(args);
    for (let i = 0; i < 3 && r.code !== 0 && /cannot lock ref/i.test(r.output); i++) {
      await new Promise((done) => setTimeout(done, 100 * (i + 1)));
      r = await this.git(args);
    }
    if (r.code !== 0) {
      if (/couldn't find remote ref|not our ref|no such ref/i.test(r.output)) return null;
      throw new UserError(
        `baseline-store: branch: could not fetch the branch ${this.o.branch} from origin (${r.output.trim().split("\n").at(-1)}). Check out the repository with actions/checkout first (its credentials are used).`,
      );
    }
    return this.gitOk(["rev-parse", this.localRef]);
  }

  private async read(commit: string, stack: string): Promise<BranchHistory | undefined> {
    const path = branchPath(stack);
    const r = await this.git(["show", `${commit}:${path}`]);
    if (r.code !== 0) return undefined;
    return parseBranchHistory(r.output, `${this.o.branch}:${path}`);
  }

  async restore(stack: string, environmentId: string): Promise<StoredBaseline | undefined> {
    const head = await this.fetch();
    if (!head) return undefined;
    const h = await this.read(head, stack);
    const doc = h ? newestComparable(h, environmentId) : undefined;
    if (!doc) return undefined;
    return { doc, source: `${this.o.branch}:${branchPath(stack)}@${doc.commit?.sha.slice(0, 7) ?? "?"}` };
  }

  async newest(stack: string): Promise<StoredBaseline | undefined> {
    const head = await this.fetch();
    const h = head ? await this.read(head, stack) : undefined;
    const doc = h ? newestOfAny(h) : undefined;
    if (!doc) return undefined;
    return { doc, source: `${this.o.branch}:${branchPath(stack)}@${doc.commit?.sha.slice(0, 7) ?? "?"}` };
  }

  async history(stack: string): Promise<{ history: BranchHistory; source: string } | undefined> {
    const head = await this.fetch();
    const h = head ? await this.read(head, stack) : undefined;
    return h ? { history: h, source: `${this.o.branch}:${branchPath(stack)}` } : undefined;
  }

  async save(stack: string, _environmentId: string, sha: string, doc: ResultDocument): Promise<string | undefined> {
    if (this.o.writeRefused) {
      throw new UserError(`baseline-store: branch: not written: ${this.o.writeRefused}`);
    }
    const result = doc.results.find((r) => r.stack.name === stack);
    if (!result) return undefined;
    const work = mkdtempSync(join(this.o.tmpDir, "loadgate-branch-"));
    try {
      for (let attempt = 1; ; attempt++) {
        const parent = await this.fetch();
        const previous = parent ? await this.read(parent, stack) : undefined;
        const next = appendEntry(
          previous,
          stack,
          {
            sha,
            ref: doc.commit?.ref ?? "",
            createdAt: doc.createdAt,
            toolVersion: doc.tool.version,
            result,
          },
          this.o.limits,
        );
        const file = join(work, "history.json");
        writeFileSync(file, serialize(next));
        const blob = await this.gitOk(["hash-object", "-w", file]);
        const index = { GIT_INDEX_FILE: join(work, "index") };
        rmSync(index.GIT_INDEX_FILE, { force: true });
        await this.gitOk(parent ? ["read-tree", parent] : ["read-tree", "--empty"], index);
        await this.gitOk(["update-index", "--add", "--cacheinfo", `100644,${blob},${branchPath(stack)}`], index);
        const tree = await this.gitOk(["write-tree"], index);
        const message = `loadgate: baseline of ${stack} at ${sha.slice(0, 12)} (${next.entries.length} kept)`;
        const commit = await this.gitOk(
          ["commit-tree", tree, ...(parent ? ["-p", parent] : []), "-m", message],
          COMMITTER,
        );
        await this.o.beforePush?.(attempt);
        const push = await this.git(["push", "--quiet", "origin", `${commit}:refs/heads/${this.o.branch}`]);
        if (push.code === 0) {
          this.o.log(
            `Appended the baseline of ${stack} to ${this.o.branch}:${branchPath(stack)} (${next.entries.length} ${next.entries.length === 1 ? "entry" : "entries"}).`,
          );
          return `${this.o.branch}:${branchPath(stack)}@${sha.slice(0, 7)}`;
        }
        const raced = /non-fast-forward|fetch first|rejected|stale info|cannot lock ref/i.test(push.output);
        if (!raced || attempt >= PUSH_ATTEMPTS) {
          throw new UserError(
            `baseline-store: branch: could not push ${this.o.branch} (${push.output.trim().split("\n").slice(-2).join(" ")}). The job needs permissions: contents: write.`,
          );
        }
        this.o.log(`${this.o.branch} moved while writing (another job); retrying (${attempt}/${PUSH_ATTEMPTS - 1}).`);
        const wait = this.o.backoffMs?.(attempt) ?? 250 * attempt + Math.random() * 500;
        await new Promise((r) => setTimeout(r, wait));
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
}
