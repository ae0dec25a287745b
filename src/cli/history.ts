// `loadgate history <stack-name> [--from FILE | --branch NAME]`: main's series of one stack (from the
// data branch, or a file) as terminal charts with their change points marked, and a table of them.

import { resolve } from "node:path";
import { branchPath, DEFAULT_DATA_BRANCH, parseDataBranch } from "../baseline/branch-data.js";
import { readBranchFile } from "../baseline/branch-read.js";
import { parseFlags } from "../config/args.js";
import { detectStack, MIN_POINTS, type StackDrift } from "../drift/detect.js";
import { seriesFromText } from "../drift/source.js";
import { ExitCode, UserError } from "../errors.js";
import { historyMarkdown, historyReport } from "../report/drift-text.js";
import { readBounded } from "../result/bounds.js";
import type { CliIo } from "./io.js";
import { writeOutput } from "./output.js";

export const HISTORY_OPTIONS = {
  from: { type: "string" },
  branch: { type: "string" },
  json: { type: "string" },
  markdown: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

const USAGE = 'Usage: loadgate history <stack-name> [--from FILE | --branch NAME]. See "loadgate history --help".';

export async function historyCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(argv, HISTORY_OPTIONS, "history");
  if (positionals.length !== 1) throw new UserError(USAGE);
  const [stack] = positionals;
  if (values.from !== undefined && values.branch !== undefined) {
    throw new UserError("--from and --branch: give one (a file, or a branch of this repository).");
  }
  const { text, source } = await readSource(stack, values, io.cwd);
  const drift = detectStack(seriesFromText(text, source, stack));
  tooFewCheck(drift);
  io.stdout(historyReport(drift));
  if (values.json) writeOutput(resolve(io.cwd, values.json), `${JSON.stringify(drift, null, 2)}\n`);
  if (values.markdown) writeOutput(resolve(io.cwd, values.markdown), historyMarkdown(drift));
  return ExitCode.ok;
}

async function readSource(
  stack: string,
  values: { from?: string; branch?: string },
  cwd: string,
): Promise<{ text: string; source: string }> {
  if (values.from !== undefined) return { text: readBounded(resolve(cwd, values.from)), source: values.from };
  const branch = parseDataBranch(values.branch ?? DEFAULT_DATA_BRANCH);
  if (!branch) throw new UserError(`--branch: "${values.branch}" is not a branch name.`);
  const path = branchPath(stack);
  return { text: await readBranchFile(cwd, branch, path), source: `${branch}:${path}` };
}

/** No series long enough to look in: say how many points there are and how many it takes (exit 2). */
function tooFewCheck(d: StackDrift): void {
  if (d.series.some((s) => !s.tooFew)) return;
  const most = Math.max(0, ...d.series.map((s) => s.points.length));
  throw new UserError(
    `${d.source}: ${most} baseline(s) of ${d.stack}; looking for change points needs at least ${MIN_POINTS} (4 on each side of a step). Store more baselines of main first.`,
  );
}
