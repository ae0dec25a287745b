import type { ResultDocument } from "../result/types.js";
import type { BranchHistory } from "./branch-data.js";

export interface StoredBaseline {
  doc: ResultDocument;
  /** Where it came from: a cache key or a file path. */
  source: string;
}

/** Where baselines live: the GitHub Actions cache in the Action, a file for the CLI. */
export interface BaselineStore {
  /**
   * The newest baseline for a stack: from the same environment when there is one, else the newest
   * from any environment (so the caller can say why it will not compare them).
   */
  restore(stack: string, environmentId: string): Promise<StoredBaseline | undefined>;
  /** Stores a baseline; never overwrites an existing one. Returns where it went, or undefined when it already existed. */
  save(stack: string, environmentId: string, sha: string, doc: ResultDocument): Promise<string | undefined>;
  /**
   * The newest baseline of a stack from any environment, where the store can tell (the cache, the data
   * branch): the work counts do not depend on the machine, so the work rows may compare with it.
   */
  newest?(stack: string): Promise<StoredBaseline | undefined>;
  /** Every stored baseline of a stack, oldest first, where the store keeps them all (the data branch). */
  history?(stack: string): Promise<{ history: BranchHistory; source: string } | undefined>;
}

/**
 * The number in the cache keys. It follows the Result's schemaVersion only when stored baselines
 * become unreadable: schemaVersion 2 reads the baselines of version 1 (migrated when they pass its
 * checks), so the keys stay `loadgate-1-` and the baselines already in the cache keep working.
 */
export const BASELINE_KEY_VERSION = 1;

/** Cache keys: loadgate-<key version>-<stack>-<environment.id>-<sha>; immutable, restored by prefix (newest wins). */
export function baselineKey(schemaVersion: number, stack: string, environmentId: string, sha: string): string {
  return `${baselinePrefix(schemaVersion, stack, environmentId)}${sha}`;
}

export function baselinePrefix(schemaVersion: number, stack: string, environmentId?: string): string {
  return environmentId === undefined
    ? `loadgate-${schemaVersion}-${stack}-`
    : `loadgate-${schemaVersion}-${stack}-${environmentId}-`;
}
