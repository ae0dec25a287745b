// Pure: a history file's text → the series of one stack: a data-branch history (baselines/<stack>.json)
// or a Result / baseline file whose stack carries its history.

import { type BranchHistory, branchHistoryOf } from "../baseline/branch-data.js";
import { UserError } from "../errors.js";
import { checkDepth } from "../result/bounds.js";
import { parseResultDocument } from "../result/read.js";
import { type StackSeries, seriesFromBranch, seriesFromResult } from "./series.js";

/** The series of `stack` in `text` (read from `source`); a file of another stack is a UserError. */
export function seriesFromText(text: string, source: string, stack: string): StackSeries {
  checkDepth(text, source);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new UserError(`${source}: not valid JSON (${(err as Error).message}).`);
  }
  if (typeof data === "object" && data !== null && "entries" in data) {
    return fromBranch(branchHistoryOf(data, source), source, stack);
  }
  const doc = parseResultDocument(text, source);
  const r = doc.results.find((x) => x.stack.name === stack);
  if (!r) {
    throw new UserError(
      `${source}: has no stack named "${stack}"; its stacks: ${doc.results.map((x) => JSON.stringify(x.stack.name)).join(", ")}. Give the stack's name as its stack file says (name:).`,
    );
  }
  return seriesFromResult(doc, r, source);
}

function fromBranch(h: BranchHistory, source: string, stack: string): StackSeries {
  if (h.stack !== stack) {
    throw new UserError(
      `${source}: the history of the stack "${h.stack}", not of "${stack}". Give that stack's name, or its own file (baselines/<stack>.json).`,
    );
  }
  return seriesFromBranch(h, source);
}
