// Pure: which kind of app a folder holds, and its stack draft. --framework forces a kind; --command
// replaces the command init would guess (the rest it found stays: packages, setup, database).

import { UserError } from "../errors.js";
import { APP_KINDS, type AppFolder, type AppKind, COMMAND_PLACEHOLDERS, type StackDraft, stackName } from "./draft.js";
import { goDraft } from "./go.js";
import { nodeDraft } from "./node.js";
import { type PythonKind, pythonDraft, pythonFramework, sqlFiles } from "./python.js";

export interface InitChoices {
  framework?: string;
  command?: string;
}

const WHAT_INIT_FINDS =
  "Django (manage.py), Flask, FastAPI or Starlette (a .py file importing it), Node.js (package.json) or Go (go.mod)";

/** The kind of app in the folder: Python frameworks first (a Django site often has a package.json for its assets). */
export function detectKind(folder: AppFolder): { kind: AppKind; also: AppKind[] } | null {
  const found: AppKind[] = [];
  const python = pythonFramework(folder);
  if (python) found.push(python);
  if (folder.files.has("package.json")) found.push("node");
  if (folder.files.has("go.mod")) found.push("go");
  return found.length === 0 ? null : { kind: found[0], also: found.slice(1) };
}

/** The stack draft for the folder, or a UserError that names the folder and what to do. */
export function draftStack(folder: AppFolder, o: InitChoices = {}): StackDraft {
  const command = o.command === undefined ? undefined : checkCommand(o.command);
  const kind = o.framework === undefined ? undefined : checkFramework(o.framework, command);
  const detected = kind ? { kind, also: [] } : detectKind(folder);
  if (!detected && command === undefined) throw noApp(folder);
  const draft = draftOf(folder, detected?.kind ?? "command", command);
  for (const other of detected?.also ?? []) {
    draft.notes.push(`Also found a ${other} app here; "loadgate init --framework ${other}" writes its stack instead.`);
  }
  if (command === undefined) return draft;
  if (!command.includes("{port}")) {
    draft.notes.push("The command does not use {port}: the app must listen on 127.0.0.1:$PORT (app.env sets PORT).");
    draft.env.PORT ??= "{port}";
  }
  const workers = command.includes("{workers}") ? (draft.workers ?? { value: 1, guess: "one worker" }) : null;
  return { ...draft, command: { value: command }, workers };
}

function draftOf(folder: AppFolder, kind: AppKind, command: string | undefined): StackDraft {
  if (kind === "node") return nodeDraft(folder, command);
  if (kind === "go") return goDraft(folder);
  if (kind !== "command") return pythonDraft(folder, kind as PythonKind);
  return commandDraft(folder, command ?? "");
}

function noApp(folder: AppFolder): UserError {
  const python = [...folder.files.keys()].some((p) => p.endsWith(".py")) || folder.files.has("requirements.txt");
  const why = python
    ? "it has Python files but none imports Django, Flask, FastAPI or Starlette (an unknown framework)"
    : `no app found: init looks for ${WHAT_INIT_FINDS}`;
  return new UserError(
    `${folder.shown}: ${why}. Give the command that starts the app on port {port}: loadgate init ${folder.shown} --command "python3 server.py --port {port}". Nothing was written.`,
  );
}

function checkFramework(value: string, command: string | undefined): AppKind {
  if (!APP_KINDS.includes(value as AppKind)) {
    throw new UserError(
      `--framework: unknown framework ${JSON.stringify(value)}; expected one of ${APP_KINDS.join(", ")}. For anything else give --command. Nothing was written.`,
    );
  }
  if (value === "command" && command === undefined) {
    throw new UserError('--framework command needs --command "<the command that starts the app on {port}>".');
  }
  return value as AppKind;
}

/** --command: one line, with only the placeholders the runner fills. */
export function checkCommand(value: string): string {
  const command = value.trim();
  const fix = 'e.g. --command "python3 server.py --port {port}". Nothing was written.';
  if (command === "" || /[\r\n]/.test(command)) {
    throw new UserError(`--command: expected one line that starts the app, got ${JSON.stringify(value)}; ${fix}`);
  }
  const unknown = [...command.matchAll(/\{(\w*)\}/g)]
    .map((m) => m[1])
    .filter((name) => !(COMMAND_PLACEHOLDERS as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new UserError(
      `--command: unknown placeholder {${unknown[0]}}; the runner fills ${COMMAND_PLACEHOLDERS.map((p) => `{${p}}`).join(", ")}. ${fix}`,
    );
  }
  return command;
}

/** A plain command: what --command gives, with the database's URL and the port in the environment. */
function commandDraft(folder: AppFolder, command: string): StackDraft {
  return {
    name: stackName(folder.name),
    kind: "command",
    description: "An app started by its own command (written by loadgate init)",
    webserver: command.split(/\s+/)[0],
    framework: "",
    command: { value: command },
    workers: command.includes("{workers}") ? { value: 1, guess: "one worker; raise it, or workers: auto" } : null,
    env: { DATABASE_URL: "{database_url}", PORT: "{port}" },
    ready: { value: "/", guess: "set a path that answers 2xx without a login" },
    setup: null,
    requirements: null,
    database: { ...sqlFiles(folder), setup: null },
    missing: [],
    notes: [],
  };
}
