import { createHash } from "node:crypto";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as cache from "@actions/cache";
import { readBounded } from "../result/bounds.js";
import { parseResultDocument } from "../result/read.js";
import type { ResultDocument } from "../result/types.js";
import { BASELINE_KEY_VERSION, type BaselineStore, baselineKey, baselinePrefix, type StoredBaseline } from "./store.js";

/**
 * Baselines in the GitHub Actions cache. One entry per stack and commit; keys are immutable, so a
 * save never overwrites; restore takes the newest entry for the prefix. The cached path is relative
 * to the workspace and the same on every run (the cache's version is a hash of the paths).
 */
export class CacheBaselineStore implements BaselineStore {
  constructor(
    private readonly workspace: string,
    private readonly log: (line: string) => void,
  ) {}

  private pathFor(stack: string): string {
    // A target's name is host:port/path: the file name keeps only safe characters (and a hash of the
    // whole name, so two names that differ only in those characters do not share a file).
    const safe = stack.replace(/[^A-Za-z0-9._-]/g, "_");
    const name = safe === stack ? stack : `${safe}-${createHash("sha256").update(stack).digest("hex").slice(0, 8)}`;
    return join(".loadgate-baseline", `${name}.json`);
  }

  async restore(stack: string, environmentId: string): Promise<StoredBaseline | undefined> {
    const samePrefix = baselinePrefix(BASELINE_KEY_VERSION, stack, environmentId);
    return this.restoreBy(stack, samePrefix, [samePrefix, baselinePrefix(BASELINE_KEY_VERSION, stack)]);
  }

  async newest(stack: string): Promise<StoredBaseline | undefined> {
    const anyPrefix = baselinePrefix(BASELINE_KEY_VERSION, stack);
    return this.restoreBy(stack, anyPrefix, [anyPrefix]);
  }

  /** The newest entry for the first of `restoreKeys` (prefixes) that has one, read from the cached file. */
  private async restoreBy(stack: string, key: string, restoreKeys: string[]): Promise<StoredBaseline | undefined> {
    const rel = this.pathFor(stack);
    const abs = join(this.workspace, rel);
    rmSync(abs, { force: true });
    const matched = await cache.restoreCache([rel], key, restoreKeys);
    if (!matched) return undefined;
    const doc = parseResultDocument(readBounded(abs), `baseline ${matched}`);
    return { doc, source: matched };
  }

  async save(stack: string, environmentId: string, sha: string, doc: ResultDocument): Promise<string | undefined> {
    const rel = this.pathFor(stack);
    const abs = join(this.workspace, rel);
    mkdirSync(join(this.workspace, ".loadgate-baseline"), { recursive: true });
    writeFileSync(abs, `${JSON.stringify(doc)}\n`);
    const key = baselineKey(BASELINE_KEY_VERSION, stack, environmentId, sha);
    const id = await cache.saveCache([rel], key);
    if (id === -1) {
      this.log(`The baseline ${key} already exists (keys are immutable); kept the stored one.`);
      return undefined;
    }
    return key;
  }
}
