// Pure: the help of `loadgate init`.

import { APP_KINDS } from "../../init/draft.js";
import { ACTION_REF, WORKFLOW_PATH } from "../../init/workflow.js";
import { type CommandSpec, EXIT } from "./render.js";

export const INIT: CommandSpec = {
  summary: "write a stack file and a workflow for an app folder, then check that it answers",
  usage: ["loadgate init [<dir>] [flags]"],
  about:
    "Finds Django (manage.py), Flask, FastAPI, Starlette, Node.js (package.json) or Go (go.mod) in the folder " +
    'and writes <dir>/stack.yml, each guess under a "# guessed:" comment, and ' +
    `${WORKFLOW_PATH} at the root of the git repository holding the folder (or in the folder when it is in ` +
    `none), with ${ACTION_REF} to replace. It never overwrites either. Then it brings the stack up once ` +
    "(PostgreSQL, PgBouncer, the app, nginx), GETs app.ready.http, brings it down, and says whether it answered.",
  args: [["<dir>", "the app's folder (default: the current folder)"]],
  flags: [
    [
      "command",
      {
        arg: "CMD",
        text: "the command that starts the app, with {port} (and {workers}, {database_url}); the rest is still detected",
        default: "guessed from what the folder holds; required when it holds no app init knows",
      },
    ],
    [
      "framework",
      {
        arg: "NAME",
        text: `use this kind of app, not the one found: ${APP_KINDS.join(", ")}`,
        default: "detected: Python first, then Node.js, then Go",
      },
    ],
    [
      "install",
      {
        text: "install missing system packages (apt-get, as root or with passwordless sudo) and Python requirements (pip) before the check",
        default: "off; what is missing is said, exit 3",
      },
    ],
    ["no-check", { text: "write the files and bring nothing up (for a machine without PostgreSQL)", default: "off" }],
    ["no-workflow", { text: "write the stack file alone, not the workflow", default: "off" }],
  ],
  exit: [
    [0, "written, and the stack answered 2xx (or --no-check)"],
    [
      2,
      `bad input: no app found, an unknown framework, a bad --command, stack.yml or ${WORKFLOW_PATH} exists; nothing written`,
    ],
    [3, "written, but the stack did not come up or answer, or could not be brought up (what is missing, what to fix)"],
    EXIT.interrupted,
  ],
  readme: "docs/init.md (and docs/cli.md for every command).",
};
