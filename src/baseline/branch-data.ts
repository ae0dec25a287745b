// Pure: the JSON history a `baseline-store: branch` keeps per stack on its data branch: every
// baseline of the default branch, oldest first, bounded; and what a pull request reads from it.

import { createHash } from "node:crypto";
import { UserError } from "../errors.js";
import { checkDepth } from "../result/bounds.js";
import { parseResultDocument } from "../result/read.js";
import {
  type HistoryPoint,
  PREVIOUS_SCHEMA_VERSION,
  type ResultDocument,
  SCHEMA_VERSION,
  type StackResult,
} from "../result/types.js";
import { HISTORY_LIMIT, nextHistory } from "./history.js";

export const DEFAULT_DATA_BRANCH = "loadgate-data";

/** A valid branch name for the data branch, or null. */
export function parseDataBranch(raw: string): string | null {
  const v = raw.trim();
  return /^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$/.test(v) && !v.includes("..") && !v.endsWith(".lock") && !v.endsWith("/")
    ? v
    : null;
}

/** Entries kept per stack file: the oldest are dropped beyond it. */
export const BRANCH_ENTRY_LIMIT = 200;
/** Bytes kept per stack file (GitHub warns above 50 MB a file): the oldest entries are dropped beyond it. */
export const BRANCH_FILE_LIMIT = 8 * 2 ** 20;

export interface BranchEntry {
  sha: string;
  ref: string;
  createdAt: string;
  toolVersion: string;
  /** The stack's result as measured (its `history` is derived from the entries, not stored). */
  result: StackResult;
}

export interface BranchHistory {
  schemaVersion: typeof SCHEMA_VERSION;
  stack: string;
  entries: BranchEntry[];
}

/** The file's path on the data branch: one JSON file per stack (a safe name, the real one inside). */
export function branchPath(stack: string): string {
  const safe = stack.replace(/[^A-Za-z0-9._-]/g, "_").replace(/^\.+/, "_");
  // Two names that differ only in the replaced characters must not share a file.
  const name = safe === stack ? stack : `${safe}-${createHash("sha256").update(stack).digest("hex").slice(0, 8)}`;
  return `baselines/${name}.json`;
}

/** Appends a baseline, then drops the oldest entries beyond the count and the size limits (the newest always stays). */
export function appendEntry(
  previous: BranchHistory | undefined,
  stack: string,
  entry: BranchEntry,
  limits = { entries: BRANCH_ENTRY_LIMIT, bytes: BRANCH_FILE_LIMIT },
): BranchHistory {
  const { history: _derived, ...result } = entry.result;
  const entries = [...(previous?.entries ?? []), { ...entry, result }];
  while (entries.length > Math.max(1, limits.entries)) entries.shift();
  const out: BranchHistory = { schemaVersion: SCHEMA_VERSION, stack, entries };
  while (entries.length > 1 && serialize(out).length > limits.bytes) entries.shift();
  return out;
}

export function serialize(h: BranchHistory): string {
  return `${JSON.stringify(h)}\n`;
}

/** Reads and validates a history file (written by loadgate, but anyone who can push may have edited it). */
export function parseBranchHistory(text: string, source: string): BranchHistory {
  checkDepth(text, source);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new UserError(`${source}: not valid JSON (${(err as Error).message}).`);
  }
  return branchHistoryOf(data, source);
}

/** A history file's parsed JSON (its depth already checked), validated. */
export function branchHistoryOf(data: unknown, source: string): BranchHistory {
  const d = data as Partial<BranchHistory> | null;
  // A file of the previous version is read (its entries migrated) when they pass today's checks.
  const version = d?.schemaVersion as number | undefined;
  const known = version === SCHEMA_VERSION || version === PREVIOUS_SCHEMA_VERSION;
  if (typeof d !== "object" || d === null || !known || !Array.isArray(d.entries)) {
    throw new UserError(
      `${source}: expected a loadgate baseline history (schemaVersion ${SCHEMA_VERSION}, entries[]). Delete the file from the data branch to start it afresh.`,
    );
  }
  const entries = d.entries.map((e, i) => {
    const at = `${source}: entries[${i}]`;
    if (typeof e?.sha !== "string" || typeof e.createdAt !== "string") {
      throw new UserError(`${at}: expected sha and createdAt as text.`);
    }
    // Each result is validated as any Result read back is.
    const doc = parseResultDocument(
      JSON.stringify(asDocument(e, version as number)),
      at,
      "Delete the file from the data branch to start it afresh (the next baseline run writes it anew).",
    );
    return { ...e, result: doc.results[0] as StackResult };
  });
  return { schemaVersion: SCHEMA_VERSION, stack: String(d.stack ?? ""), entries };
}

function asDocument(e: BranchEntry, version: number = SCHEMA_VERSION): ResultDocument {
  return {
    schemaVersion: version as typeof SCHEMA_VERSION,
    tool: { name: "loadgate", version: e.toolVersion ?? "unknown" },
    createdAt: e.createdAt,
    commit: { sha: e.sha, ref: e.ref ?? "" },
    results: [e.result],
  };
}

/**
 * What a pull request compares with: the newest entry of its environment, with the comparable
 * entries before it as its history (as the cache's baselines carry theirs). With none of its
 * environment, the newest entry of any (so the caller can say why it will not compare them).
 */
export function newestComparable(h: BranchHistory, environmentId: string): ResultDocument | undefined {
  const same = h.entries.filter((e) => e.result.environment.id === environmentId);
  const pick = same.at(-1) ?? h.entries.at(-1);
  if (!pick) return undefined;
  const before = same.length > 0 ? same.slice(0, -1) : [];
  let history: HistoryPoint[] = [];
  for (const e of before) history = nextHistory({ ...e.result, history }, e.sha, e.createdAt);
  const doc = asDocument(pick);
  doc.results = [{ ...pick.result, history: history.slice(-HISTORY_LIMIT) }];
  return doc;
}

/** The newest entry of any environment, without a history (for the work rows, which do not depend on the machine). */
export function newestOfAny(h: BranchHistory): ResultDocument | undefined {
  const pick = h.entries.at(-1);
  if (!pick) return undefined;
  const doc = asDocument(pick);
  doc.results = [{ ...pick.result, history: [] }];
  return doc;
}
