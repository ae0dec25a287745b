// `loadgate init [dir]`: looks at an app folder, writes a stack file and a workflow for what it finds
// (never over an existing one), then brings the stack up once and says whether it answered.

import { join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { planRun } from "../config/cli-plan.js";
import { checkStack } from "../engine/check.js";
import { ExitCode, messageOf, UserError } from "../errors.js";
import { draftStack } from "../init/detect.js";
import type { StackDraft } from "../init/draft.js";
import { defaultBranch, posixRelative, readAppFolder, repositoryRoot, writeNew } from "../init/folder.js";
import { renderStackFile } from "../init/render.js";
import { ACTION_REF, renderWorkflow, WORKFLOW_PATH } from "../init/workflow.js";
import { VERSION } from "../version.js";
import type { CliIo } from "./io.js";

export const INIT_OPTIONS = {
  command: { type: "string" },
  framework: { type: "string" },
  install: { type: "boolean" },
  "no-check": { type: "boolean" },
  "no-workflow": { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

function parse(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: INIT_OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UserError(`${(err as Error).message.replace(/\. To specify.*$/s, "")}. See "loadgate init --help".`);
  }
}

export async function initCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(argv);
  if (positionals.length > 1) {
    throw new UserError(`loadgate init takes one folder, got ${positionals.length}. See "loadgate init --help".`);
  }
  const shownDir = positionals[0] ?? ".";
  const dir = resolve(io.cwd, shownDir);
  const draft = draftStack(readAppFolder(dir, shownDir), { framework: values.framework, command: values.command });
  const stackFile = join(dir, "stack.yml");
  const shown = (p: string) => relative(io.cwd, p) || ".";
  const files = [{ path: stackFile, shown: shown(stackFile), text: renderStackFile(draft) }];
  if (!values["no-workflow"]) {
    const root = repositoryRoot(dir) ?? dir;
    const path = join(root, WORKFLOW_PATH);
    files.push({
      path,
      shown: shown(path),
      text: renderWorkflow({ stack: posixRelative(root, dir), branch: defaultBranch(repositoryRoot(dir)) }),
    });
  }
  writeNew(files, [{ path: join(dir, "stack.yaml"), shown: shown(join(dir, "stack.yaml")) }]);
  io.stdout(writtenLines(draft, files).join("\n"));
  if (values["no-check"]) {
    io.stdout(
      `Not checked (--no-check). Check it with: loadgate up ${shownDir}${values.install ? " --install" : ""}\n`,
    );
    return ExitCode.ok;
  }
  return check(io, stackFile, shownDir, values.install ?? false);
}

function writtenLines(draft: StackDraft, files: { shown: string }[]): string[] {
  const guesses = renderStackFile(draft)
    .split("\n")
    .filter((l) => l.trimStart().startsWith("# guessed:")).length;
  const lines = [
    draft.kind === "command"
      ? "No app init knows: the stack runs the command given."
      : `Found a ${draft.framework || (draft.kind === "go" ? "Go" : "Node.js")} app (${draft.webserver}).`,
    `Wrote ${files[0].shown}: ${guesses} guess${guesses === 1 ? "" : "es"}, each under a "# guessed:" line; check them.`,
  ];
  if (files[1]) lines.push(`Wrote ${files[1].shown}: replace ${ACTION_REF} in it (see its header).`);
  for (const m of draft.missing) lines.push(`Missing: ${m}`);
  for (const n of draft.notes) lines.push(`Note: ${n}`);
  return [...lines, ""];
}

/** The stack up once: 0 when it answered 2xx, 3 (with what to fix) when it did not or could not come up. */
async function check(io: CliIo, stackFile: string, shownDir: string, install: boolean): Promise<number> {
  const again = `loadgate up ${shownDir}${install ? "" : " --install"}`;
  io.stderr("Checking: bringing the stack up once (PostgreSQL, PgBouncer, the app, nginx).\n");
  try {
    const plan = planRun([stackFile, ...(install ? ["--install"] : [])], io, VERSION, "init");
    const answer = await checkStack(plan, { log: (l) => io.stderr(`${l}\n`), signal: io.signal });
    if (answer.ok) {
      io.stdout(`It answered: GET ${answer.url} returned 2xx. Next: loadgate run ${shownDir} measures it.\n`);
      return ExitCode.ok;
    }
    io.stdout(
      `It did not answer: ${answer.detail}.\nFix: set app.ready.http in ${relative(io.cwd, stackFile) || stackFile} to a path that answers 2xx, then check again with: ${again}\n`,
    );
  } catch (err) {
    if (io.signal?.aborted) throw err;
    const missing = err instanceof UserError;
    io.stdout(
      `${missing ? "Not checked" : "It did not come up"}: ${messageOf(err)}\nFix ${missing ? "that" : "the app or the guesses in the stack file"}, then check again with: ${again} (Ctrl-C stops it); "loadgate init --no-check" skips this check.\n`,
    );
  }
  return ExitCode.stackFailed;
}
