// Pure: stack drafts for Python web apps: Django (manage.py) under Gunicorn, Flask under Gunicorn,
// FastAPI and Starlette under Uvicorn. The app's packages come from its requirements.txt.

import { UserError } from "../errors.js";
import { type AppFolder, type AppKind, type Guessed, mentions, type StackDraft, stackName } from "./draft.js";
import { guessReady, routesIn } from "./routes.js";

export type PythonKind = Extract<AppKind, "django" | "flask" | "fastapi" | "starlette">;

/** Which Python framework the top-level sources import (FastAPI before Starlette: it builds on it). */
export function pythonFramework(folder: AppFolder): PythonKind | null {
  if (folder.files.has("manage.py")) return "django";
  const py = [...folder.files].filter(([p]) => p.endsWith(".py"));
  for (const kind of ["fastapi", "starlette", "flask"] as const) {
    const imports = new RegExp(`^\\s*(?:from\\s+${kind}(?:\\.\\w+)*\\s+import|import\\s+${kind}\\b)`, "m");
    if (py.some(([, text]) => imports.test(text))) return kind;
  }
  return null;
}

/** The package names of a requirements file, lower-case ("Flask[async]==3.1" → "flask"). */
export function requirementNames(text: string): Map<string, string> {
  const names = new Map<string, string>();
  for (const raw of text.split("\n")) {
    const line = raw.replace(/#.*/, "").trim();
    const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*(.*)$/.exec(line);
    if (m && !line.startsWith("-")) names.set(m[1].toLowerCase().replaceAll("_", "-"), m[2]);
  }
  return names;
}

const SERVER = {
  gunicorn: { webserver: "Gunicorn", workers: 4, why: "Gunicorn sync workers" },
  uvicorn: { webserver: "Uvicorn", workers: 2, why: "Uvicorn event-loop processes" },
} as const;

/** The stack draft of a Python app of `kind`. */
export function pythonDraft(folder: AppFolder, kind: PythonKind): StackDraft {
  const reqText = folder.files.get("requirements.txt");
  const reqs = reqText === undefined ? null : requirementNames(reqText);
  const server = kind === "django" || kind === "flask" ? "gunicorn" : "uvicorn";
  const app = kind === "django" ? djangoApp(folder) : moduleApp(folder, kind);
  const missing: string[] = [];
  if (reqs === null) {
    missing.push(
      `${folder.shown}: no requirements.txt. loadgate installs the app's packages with pip from a pinned requirements file: write one (pip freeze > requirements.txt) and add "python: { requirements: requirements.txt }" under app.`,
    );
  } else if (!reqs.has(server)) {
    missing.push(`requirements.txt has no ${server}: add a pinned line for it (e.g. ${server}==<version>).`);
  }
  const s = SERVER[server];
  const notes = mentions(folder, "DATABASE_URL", /\.py$/)
    ? []
    : [
        "Nothing in the Python sources reads DATABASE_URL: the stack gives the database's URL (through PgBouncer) in DATABASE_URL; read it, or add the variable your app reads under app.env.",
      ];
  return {
    name: stackName(folder.name),
    kind,
    description: `${app.framework} under ${s.webserver} (written by loadgate init)`,
    webserver: s.webserver,
    framework: app.framework,
    command: { value: serverCommand(server, app.target.value, reqs), guess: app.target.guess },
    workers: { value: s.workers, guess: `${s.workers} ${s.why}; "workers: auto" finds the best count (slower)` },
    env: { DATABASE_URL: "{database_url}", ...app.env },
    ready: app.ready,
    setup: null,
    requirements: reqs === null ? null : "requirements.txt",
    database: { ...sqlFiles(folder), setup: app.dbSetup },
    missing,
    notes,
  };
}

/** database.schema and .seed: schema.sql and seed.sql when the folder has them. */
export function sqlFiles(folder: AppFolder): { schema: string | null; seed: string | null } {
  return {
    schema: folder.files.has("schema.sql") ? "schema.sql" : null,
    seed: folder.files.has("seed.sql") ? "seed.sql" : null,
  };
}

/** Gunicorn 24 added --no-control-socket (otherwise a socket in ~/.gunicorn shared by every run). */
function serverCommand(server: "gunicorn" | "uvicorn", target: string, reqs: Map<string, string> | null): string {
  if (server === "uvicorn") {
    // A factory (module:create_app()) is uvicorn's --factory.
    const factory = target.endsWith("()");
    return `uvicorn ${factory ? `${target.slice(0, -2)} --factory` : target} --host 127.0.0.1 --port {port} --workers {workers} --no-access-log`;
  }
  const pin = /^==\s*(\d+)/.exec(reqs?.get("gunicorn") ?? "");
  const socket = pin && Number(pin[1]) < 24 ? "" : " --no-control-socket";
  return `gunicorn --workers {workers} --bind 127.0.0.1:{port}${socket} ${target}`;
}

interface PythonApp {
  framework: string;
  target: Guessed<string>;
  env: Record<string, string>;
  ready: Guessed<string>;
  dbSetup: Guessed<string> | null;
}

function djangoApp(folder: AppFolder): PythonApp {
  const manage = folder.files.get("manage.py") ?? "";
  const settings = /DJANGO_SETTINGS_MODULE["']\s*,\s*["']([\w.]+)["']/.exec(manage)?.[1];
  const project = settings?.split(".").slice(0, -1).join(".") || undefined;
  const dir = project?.replaceAll(".", "/");
  const urls = dir ? `${dir}/urls.py` : undefined;
  const routes = urls ? routesIn(folder.files.get(urls) ?? "", true) : [];
  const wsgi = dir !== undefined && folder.files.has(`${dir}/wsgi.py`);
  return {
    framework: "Django",
    target: {
      value: project ? `${project}.wsgi` : "mysite.wsgi",
      guess: wsgi
        ? undefined
        : `no <project>/wsgi.py found${settings ? ` next to ${settings}` : ""}: name the module that defines application`,
    },
    env: settings ? { DJANGO_SETTINGS_MODULE: settings } : {},
    ready: guessReady(routes, urls ?? "the URLconf"),
    dbSetup: {
      value: "python manage.py migrate --noinput",
      guess: "Django's migrations make the schema; they run against PostgreSQL itself, once per seeded database",
    },
  };
}

const CONSTRUCTOR: Record<Exclude<PythonKind, "django">, string> = {
  flask: "Flask",
  fastapi: "FastAPI",
  starlette: "Starlette",
};

/** `module:variable` of the file that makes the app object (app = Flask(__name__)), and its routes. */
function moduleApp(folder: AppFolder, kind: Exclude<PythonKind, "django">): PythonApp {
  const ctor = CONSTRUCTOR[kind];
  const made = new RegExp(`^(\\w+)\\s*(?::[^=]+)?=\\s*(?:\\w+\\.)*${ctor}\\(`, "m");
  const factory = /^def\s+(create_app|make_app)\s*\(/m;
  const files = [...folder.files].filter(([p]) => p.endsWith(".py")).sort(([a], [b]) => depth(a) - depth(b));
  for (const [path, text] of files) {
    // A file name becomes part of a shell command: only names Python could import.
    if (!/^[A-Za-z_]\w*(?:\/[A-Za-z_]\w*)*\.py$/.test(path)) continue;
    const variable = made.exec(text)?.[1];
    const fn = variable ? undefined : factory.exec(text)?.[1];
    if (!variable && !fn) continue;
    const module = path.replace(/\.py$/, "").replaceAll("/", ".");
    const target = variable ? `${module}:${variable}` : `${module}:${fn}()`;
    return {
      framework: ctor,
      target: {
        value: target,
        guess: `${path} makes the app (${variable ? `${variable} = ${ctor}(...)` : `${fn}()`})`,
      },
      env: {},
      ready: guessReady(routesIn(text), path),
      dbSetup: null,
    };
  }
  throw new UserError(
    `${folder.shown}: it imports ${kind} but no file makes the app ("app = ${ctor}(...)" at the top level of a .py file). Give the command: loadgate init ${folder.shown} --command "<server> ... 127.0.0.1:{port} ...".`,
  );
}

const depth = (p: string) => p.split("/").length;
