// `loadgate up <stack>`: one stack up, "ready <url>" on stdout (and "database <url>", the
// {database_url} the app got, with this run's password), kept up until Ctrl-C.

import { planRun } from "../config/cli-plan.js";
import { holdStack } from "../engine/hold.js";
import { ExitCode, UserError } from "../errors.js";
import { VERSION } from "../version.js";
import { refusedFlag } from "./help.js";
import type { CliIo } from "./io.js";

export async function upCommand(argv: string[], io: CliIo): Promise<number> {
  const refused = refusedFlag("up", argv);
  if (refused) throw refused;
  const plan = planRun(argv, { cwd: io.cwd, env: io.env, isTTY: io.isTTY }, VERSION, "up");
  if (plan.stacks.length !== 1) throw new UserError("loadgate up takes exactly one stack.");
  await holdStack(plan, {
    log: (line) => io.stderr(`${line}\n`),
    signal: io.signal,
    // The database line comes first, so that whoever waits for "ready" has both.
    onReady: (url, databaseUrl) => io.stdout(`${databaseUrl ? `database ${databaseUrl}\n` : ""}ready ${url}\n`),
  });
  return ExitCode.ok;
}
