// Pure: what `loadgate init` found in an app folder and will write, before it is YAML. Every value
// it had to guess carries why, which the stack file shows as a "# guessed:" comment.

/** The kinds of app init knows; `command` is a plain command given with --command. */
export const APP_KINDS = ["django", "flask", "fastapi", "starlette", "node", "go", "command"] as const;
export type AppKind = (typeof APP_KINDS)[number];

/** What detection sees of an app folder: its name and the text of the files it read, by relative path. */
export interface AppFolder {
  /** The folder as the user named it, for messages. */
  shown: string;
  /** Its last path segment (the stack's name is made from it). */
  name: string;
  /** Text of the folder's small source and manifest files (relative POSIX paths, a few levels deep). */
  files: ReadonlyMap<string, string>;
}

/** A value and, when init guessed it, why (shown as "# guessed: <why>"). */
export interface Guessed<T> {
  value: T;
  guess?: string;
}

/** app.setup: a text command (run before every bring-up) or a cached one keyed by files. */
export type SetupDraft = string | { command: string; files: string[]; creates: string[] };

export interface StackDraft {
  name: string;
  kind: AppKind;
  description: string;
  webserver: string;
  framework: string;
  command: Guessed<string>;
  /** null: the command takes no {workers}. */
  workers: Guessed<number> | null;
  env: Record<string, string>;
  ready: Guessed<string>;
  setup: Guessed<SetupDraft> | null;
  requirements: string | null;
  database: { schema: string | null; seed: string | null; setup: Guessed<string> | null };
  /** What the app still lacks before it can come up (a server not in requirements.txt, no lockfile). */
  missing: string[];
  /** Worth knowing: alternatives not taken, what the app must do that init could not see. */
  notes: string[];
}

/** The placeholders an app command may use (filled by the runner). */
export const COMMAND_PLACEHOLDERS = ["port", "workers", "database_url", "run_dir", "stack_dir"] as const;

/** A stack name from a folder name: the schema's letters, digits, ".", "_", "-", starting with a letter or digit. */
export function stackName(folder: string): string {
  const cleaned = folder.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[^A-Za-z0-9]+/, "");
  return cleaned || "app";
}

/** Does any file read here mention `word`? (e.g. DATABASE_URL) */
export function mentions(folder: AppFolder, word: string, ext: RegExp): boolean {
  for (const [path, text] of folder.files) if (ext.test(path) && text.includes(word)) return true;
  return false;
}
