import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseBranchHistory } from "../../src/baseline/branch-data.js";
import { BranchBaselineStore } from "../../src/baseline/branch-store.js";
import type { ResultDocument } from "../../src/result/types.js";
import { around, result } from "../support/results.js";
import { tempDir } from "../support/temp.js";
import { messageOf } from "../support/user-error.js";
import { gitIn } from "./git-repo.js";

// A real git remote (a local bare repository) and clones of it, as actions/checkout leaves them.
const git = gitIn;

function remoteWithClones(n: number): { bare: string; clones: string[] } {
  const root = tempDir("lg-branch-");
  const bare = join(root, "origin.git");
  git(root, "init", "-q", "--bare", "-b", "main", bare);
  const first = join(root, "clone0");
  git(root, "clone", "-q", bare, first);
  writeFileSync(join(first, "README"), "app\n");
  git(first, "add", "README");
  git(first, "commit", "-q", "-m", "app");
  git(first, "push", "-q", "origin", "main");
  const clones = [first];
  for (let i = 1; i < n; i++) {
    const c = join(root, `clone${i}`);
    git(root, "clone", "-q", bare, c);
    clones.push(c);
  }
  return { bare, clones };
}

const doc = (sha: string, p99 = 40): ResultDocument => ({
  schemaVersion: 2,
  tool: { name: "loadgate", version: "test" },
  createdAt: new Date().toISOString(),
  commit: { sha, ref: "refs/heads/main" },
  results: [result(around(1000, p99))],
});

const store = (repoDir: string, extra: Partial<ConstructorParameters<typeof BranchBaselineStore>[0]> = {}) =>
  new BranchBaselineStore({
    repoDir,
    branch: "loadgate-data",
    writeRefused: null,
    tmpDir: tmpdir(),
    log: () => undefined,
    backoffMs: () => 20 + Math.random() * 60,
    ...extra,
  });

const entriesOn = (bare: string) =>
  parseBranchHistory(git(bare, "show", "loadgate-data:baselines/demo.json"), "remote").entries.map((e) =>
    e.sha.slice(0, 1),
  );

describe("baseline-store: branch against a real git remote", () => {
  it("creates the data branch on first use (apart from main's history), appends, and a pull request's clone reads the newest with its history", async () => {
    const { bare, clones } = remoteWithClones(2);
    const id = doc("a").results[0]!.environment.id;
    expect(await store(clones[1]!).restore("demo", id)).toBeUndefined();
    for (const [i, sha] of ["1", "2", "3"].entries()) {
      await store(clones[0]!).save("demo", id, sha.repeat(40), doc(sha.repeat(40), 40 + i));
    }
    expect(entriesOn(bare)).toEqual(["1", "2", "3"]);
    // An orphan branch: it shares no commit with main, and main and the work tree are untouched.
    expect(() => git(bare, "merge-base", "main", "loadgate-data")).toThrow();
    expect(git(clones[0]!, "status", "--porcelain")).toBe("");
    expect(git(bare, "rev-list", "--count", "loadgate-data")).toBe("3");
    const got = await store(clones[1]!).restore("demo", id);
    expect(got?.source).toBe("loadgate-data:baselines/demo.json@3333333");
    expect(got?.doc.results[0]?.history?.map((p) => p.sha.slice(0, 1))).toEqual(["1", "2"]);
  });

  it("bounds the history: the oldest entries go", async () => {
    const { bare, clones } = remoteWithClones(1);
    const s = store(clones[0]!, { limits: { entries: 2, bytes: 10 ** 8 } });
    for (const sha of ["1", "2", "3", "4"]) await s.save("demo", "x", sha.repeat(40), doc(sha.repeat(40)));
    expect(entriesOn(bare)).toEqual(["3", "4"]);
  });

  it("two jobs writing at once both land: the loser of the push race fetches, re-applies and retries", async () => {
    // Each job has its own checkout, as on separate runners.
    const { bare, clones } = remoteWithClones(5);
    await store(clones[0]!).save("demo", "x", "0".repeat(40), doc("0".repeat(40)));
    await Promise.all(
      ["1", "2", "3", "4"].map((sha, i) =>
        store(clones[1 + i]!).save("demo", "x", sha.repeat(40), doc(sha.repeat(40))),
      ),
    );
    expect(entriesOn(bare).sort()).toEqual(["0", "1", "2", "3", "4"]);
  });

  it("a writer whose push loses the race (another job pushed after its fetch) retries on the new tip", async () => {
    const { bare, clones } = remoteWithClones(2);
    await store(clones[0]!).save("demo", "x", "0".repeat(40), doc("0".repeat(40)));
    const logs: string[] = [];
    const loser = store(clones[0]!, {
      log: (l) => logs.push(l),
      beforePush: async (attempt) => {
        if (attempt === 1) await store(clones[1]!).save("demo", "x", "2".repeat(40), doc("2".repeat(40)));
      },
    });
    await loser.save("demo", "x", "1".repeat(40), doc("1".repeat(40)));
    expect(entriesOn(bare)).toEqual(["0", "2", "1"]);
    expect(logs).toContain("loadgate-data moved while writing (another job); retrying (1/5).");
  });

  it("writes nothing from a pull request, and says why", async () => {
    const { bare, clones } = remoteWithClones(1);
    const refused = store(clones[0]!, {
      writeRefused: "this run is on refs/pull/7/merge, not the default branch main.",
    });
    let message = "";
    try {
      await refused.save("demo", "x", "1".repeat(40), doc("1".repeat(40)));
    } catch (err) {
      message = messageOf(() => {
        throw err;
      });
    }
    expect(message).toBe(
      "baseline-store: branch: not written: this run is on refs/pull/7/merge, not the default branch main.",
    );
    expect(() => git(bare, "rev-parse", "--verify", "--quiet", "loadgate-data")).toThrow();
  });

  it("newest: the newest entry of any environment, for the work rows; restore still this environment's", async () => {
    const { clones } = remoteWithClones(1);
    const s = store(clones[0]!);
    const mine = doc("1".repeat(40));
    const theirs = { ...doc("2".repeat(40)), results: [result(around(1000, 40), { cpuModel: "Other CPU" })] };
    await s.save("demo", mine.results[0]!.environment.id, "1".repeat(40), mine);
    await s.save("demo", theirs.results[0]!.environment.id, "2".repeat(40), theirs);
    expect((await s.restore("demo", mine.results[0]!.environment.id))?.doc.commit?.sha).toBe("1".repeat(40));
    const newest = await s.newest("demo");
    expect(newest?.doc.commit?.sha).toBe("2".repeat(40));
    expect(newest?.source).toBe("loadgate-data:baselines/demo.json@2222222");
    expect(await s.newest("other")).toBeUndefined();
  });
});
