import { fillPlaceholders } from "./configs.js";
import type { PythonEnv } from "./python-env.js";

/** What the app's own commands (app.setup, database.setup, the app) run with. */
export interface AppEnvContext {
  /** The allowlisted environment (src/child-env.ts) with the stack file's app.pass-env, before app.env and placeholders. */
  baseEnv: Record<string, string>;
  /** The app's virtual environment, whose bin/ goes first on PATH. */
  python: PythonEnv | undefined;
}

/** Placeholders that only exist once the stack is (being) brought up. */
const RUNTIME_PLACEHOLDERS = ["port", "workers", "database_url", "run_dir"];

/**
 * The environment of the app's commands: the run's, the Python environment first on PATH, then
 * app.env with `values` filled in. `partial`: a command that runs before the stack is up (app.setup)
 * gets no app.env variable that needs a value it does not have yet ({port}, {database_url}, …).
 */
export function appEnvironment(
  ctx: AppEnvContext,
  appEnv: Record<string, string>,
  values: Record<string, string | number>,
  partial = false,
): Record<string, string> {
  const env: Record<string, string> = { ...ctx.baseEnv };
  if (ctx.python) {
    env.PATH = `${ctx.python.bin}:${env.PATH ?? "/usr/bin:/bin"}`;
    env.VIRTUAL_ENV = ctx.python.dir;
    env.PYTHONUNBUFFERED = "1";
  }
  for (const [k, v] of Object.entries(appEnv)) {
    if (partial && unfilled(v, values).length > 0) continue;
    env[k] = fillPlaceholders(v, values);
  }
  return env;
}

/** The runtime placeholders `template` uses that `values` does not give. */
export function unfilled(template: string, values: Record<string, string | number>): string[] {
  return [...template.matchAll(/\{(\w+)\}/g)]
    .map((m) => m[1])
    .filter((k) => RUNTIME_PLACEHOLDERS.includes(k) && !(k in values));
}
