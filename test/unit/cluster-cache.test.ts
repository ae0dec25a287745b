// The cluster cache keeps only what initdb makes: folders and plain files. cp runs: tagged spawns.
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { keepCluster } from "../../src/stack/cluster-cache.js";
import { tempDir } from "../support/temp.js";

function cluster(): string {
  const data = join(tempDir("lg-cluster-"), "data");
  mkdirSync(join(data, "base", "1"), { recursive: true });
  writeFileSync(join(data, "PG_VERSION"), "15\n");
  writeFileSync(join(data, "base", "1", "1259"), "x");
  return data;
}

describe("keepCluster", { tags: ["spawns"] }, () => {
  it("keeps a tree of folders and plain files under its key, and a second keep of the key is no error", async () => {
    const cache = join(tempDir("lg-cache-"), "clusters");
    expect(await keepCluster(cache, "k1", cluster())).toBeUndefined();
    expect(readdirSync(join(cache, "k1", "data")).sort()).toEqual(["PG_VERSION", "base"]);
    expect(await keepCluster(cache, "k1", cluster())).toBeUndefined();
    expect(readdirSync(cache)).toEqual(["k1"]);
  });

  it("refuses a tree with a symbolic link in it, and leaves nothing in the cache", async () => {
    const cache = join(tempDir("lg-cache-"), "clusters");
    const data = cluster();
    symlinkSync("/etc/passwd", join(data, "base", "1", "planted"));
    expect(await keepCluster(cache, "k2", data)).toBe("it holds something other than folders and plain files");
    expect(readdirSync(cache)).toEqual([]);
  });
});
