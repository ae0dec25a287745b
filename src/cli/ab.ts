// `loadgate ab <base-ref> [<head-ref>] <stack>...`: both commits side by side on this machine,
// interleaved, until decided; exit 1 on a regression.

import { existsSync } from "node:fs";
import { relative, resolve } from "node:path";
import { isCommit, repoRoot, resolveCommit } from "../ab/git.js";
import { type AbPlan, abPlanOf, parsePairs } from "../ab/plan.js";
import { parseFlags } from "../config/args.js";
import { AB_OPTIONS, checkRunFolder, runtimeOf } from "../config/cli-plan.js";
import { MAX_TIME_FORM, parseOverrides, seconds } from "../config/overrides.js";
import { ExitCode, UserError } from "../errors.js";
import { abMode, abReports } from "../modes/ab.js";
import { resultDocument, savedReports } from "../modes/document.js";
import { latencyChart, verdictReport } from "../report/terminal.js";
import { timingWorkText } from "../report/timing-work.js";
import { VERSION } from "../version.js";
import { refusedFlag } from "./help.js";
import { type CliIo, modeIo } from "./io.js";
import { writeOutput } from "./output.js";

/** argv → AbPlan. A second positional that names a commit and not a path is the head. */
export async function planAb(argv: string[], cwd: string): Promise<AbPlan> {
  const { values, positionals } = parseFlags(argv, AB_OPTIONS, "ab");
  const refused = refusedFlag("ab", argv);
  if (refused) throw refused;
  if (positionals.length === 0)
    throw new UserError("loadgate ab needs a base ref: loadgate ab main [head-ref] stacks/my-app");
  const root = await repoRoot(cwd);
  const [baseRef, ...rest] = positionals;
  const baseSha = await resolveCommit(root, baseRef, "base ref");
  let headRef: string | null = null;
  if (rest.length > 0 && !existsSync(resolve(cwd, rest[0])) && (await isCommit(root, rest[0]))) headRef = rest.shift()!;
  const headSha = headRef ? await resolveCommit(root, headRef, "head ref") : null;
  if (rest.length === 0)
    throw new UserError("loadgate ab needs at least one stack (a folder with stack.yml, or the file).");
  const stackPaths = rest.map((p) => {
    const rel = relative(root, resolve(cwd, p));
    if (rel.startsWith("..")) throw new UserError(`${p}: the stack must be inside the repository (${root}).`);
    return rel;
  });
  return abPlanOf({
    root,
    baseRef,
    baseSha,
    headRef,
    headSha,
    stackPaths,
    overrides: parseOverrides({ ...values, trials: undefined }),
    pairs: parsePairs(values["min-pairs"], values["max-pairs"]),
    maxTimeSeconds: seconds("--max-time", values["max-time"], MAX_TIME_FORM) ?? null,
    jsonOut: values.json ? resolve(cwd, values.json) : null,
    install: values.install ?? false,
  });
}

export async function abCommand(argv: string[], io: CliIo): Promise<number> {
  const ab = await planAb(argv, io.cwd);
  checkRunFolder(io);
  const run = { ...runtimeOf({ cwd: io.cwd, env: io.env, isTTY: io.isTTY }, VERSION), install: ab.install };
  const hooks = modeIo(io, { progress: "tty" });
  const outcomes = await abMode(ab, run, null, hooks);
  hooks.finish();
  const head = ab.headRef ?? "working tree";
  const lines = outcomes.map((o) => {
    const verdict = verdictReport(
      `${o.head.stack.name} (${o.pairs} pairs, ${ab.baseRef} → ${head})`,
      o.comparison,
      latencyChart(o.head, o.base, { base: `base (${ab.baseRef})`, head: `head (${head})` }),
    );
    const work = timingWorkText(o.comparison, o.base, o.head);
    return work ? `${verdict}\n\n${work}` : verdict;
  });
  io.stdout(`${lines.join("\n\n")}\n`);
  if (ab.jsonOut) {
    const doc = resultDocument(
      outcomes.map((o) => o.head),
      {
        commit: { sha: ab.headSha ?? "working-tree", ref: head },
        reports: savedReports(abReports(outcomes, ab.baseSha.slice(0, 7))),
      },
    );
    writeOutput(ab.jsonOut, JSON.stringify(doc, null, 2));
    io.stdout(`Result written to ${ab.jsonOut}\n`);
  }
  return outcomes.some((o) => o.comparison.headline === "regression") ? ExitCode.regression : ExitCode.ok;
}
