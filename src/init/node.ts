// Pure: the stack draft of a Node.js app (package.json): its start script or main file, the packages
// installed by npm ci as app.setup (cached while package.json and the lockfile are unchanged).

import { UserError } from "../errors.js";
import { type AppFolder, type Guessed, mentions, type SetupDraft, type StackDraft, stackName } from "./draft.js";
import { sqlFiles } from "./python.js";
import { guessReady, routesIn } from "./routes.js";

interface PackageJson {
  main?: unknown;
  scripts?: Record<string, unknown>;
  dependencies?: Record<string, unknown>;
}

const FRAMEWORKS: [string, string][] = [
  ["fastify", "Fastify"],
  ["express", "Express"],
  ["koa", "Koa"],
  ["@hapi/hapi", "hapi"],
  ["@nestjs/core", "NestJS"],
  ["next", "Next.js"],
];

/** A file name that goes into the command as it is: no shell metacharacters. */
const SAFE_PATH = /^[\w@][\w./@-]*$/;

const ENTRY_FILES = ["server.js", "index.js", "app.js", "main.js", "server.mjs", "index.mjs"];

function readPackage(folder: AppFolder): PackageJson {
  try {
    const pkg = JSON.parse(folder.files.get("package.json") ?? "");
    if (pkg && typeof pkg === "object" && !Array.isArray(pkg)) return pkg as PackageJson;
  } catch {
    // said below
  }
  throw new UserError(
    `${folder.shown}/package.json: not a JSON object. Fix it (npm reads the same file), or give the app's command with --command.`,
  );
}

/** The command: the start script (npm start), else node <main or a usual entry file>. */
function startCommand(
  folder: AppFolder,
  pkg: PackageJson,
  given: string | undefined,
): { command: Guessed<string>; entry: string | undefined } {
  const start = pkg.scripts?.start;
  const main =
    typeof pkg.main === "string" &&
    SAFE_PATH.test(pkg.main.replace(/^\.\//, "")) &&
    folder.files.has(pkg.main.replace(/^\.\//, ""))
      ? pkg.main
      : undefined;
  const entry = main?.replace(/^\.\//, "") ?? ENTRY_FILES.find((f) => folder.files.has(f));
  if (typeof start === "string") {
    return {
      command: {
        value: "npm start",
        guess: `package.json's start script (${start}); it must listen on 127.0.0.1:$PORT`,
      },
      entry,
    };
  }
  if (given !== undefined) return { command: { value: given }, entry };
  if (!entry) {
    throw new UserError(
      `${folder.shown}: package.json has no start script and no main file (nor ${ENTRY_FILES.join(", ")}). Add a start script, or give the command: loadgate init ${folder.shown} --command "node server.js {port}".`,
    );
  }
  const from = main ? "package.json's main" : `${entry}, found in the folder`;
  return { command: { value: `node ${entry}`, guess: `${from}; it must listen on 127.0.0.1:$PORT` }, entry };
}

/** app.setup: npm ci keyed by the lockfile (npm install without one), then the build script if any. */
function setupOf(folder: AppFolder, pkg: PackageJson, missing: string[]): Guessed<SetupDraft> {
  const lock = folder.files.has("package-lock.json");
  if (!lock) {
    missing.push(
      `${folder.shown}: no package-lock.json. npm ci installs exactly the locked versions; app.setup runs npm install until you commit a lockfile (npm install writes one).`,
    );
  }
  for (const other of ["yarn.lock", "pnpm-lock.yaml"].filter((f) => folder.files.has(f))) {
    missing.push(`${other} found: app.setup uses npm; change it to your package manager's frozen install.`);
  }
  const install = lock ? "npm ci --no-audit --no-fund" : "npm install --no-audit --no-fund";
  const build = typeof pkg.scripts?.build === "string" ? " && npm run build" : "";
  return {
    value: {
      command: `${install}${build}`,
      files: lock ? ["package.json", "package-lock.json"] : ["package.json"],
      creates: ["node_modules"],
    },
    guess: `installs the packages${build ? " and runs the build script" : ""}; skipped while ${lock ? "package.json and package-lock.json are" : "package.json is"} unchanged`,
  };
}

/** `given`: the command from --command, which the rest of the draft is built around. */
export function nodeDraft(folder: AppFolder, given?: string): StackDraft {
  const pkg = readPackage(folder);
  const missing: string[] = [];
  const { command, entry } = startCommand(folder, pkg, given);
  const deps = pkg.dependencies ?? {};
  const framework = FRAMEWORKS.find(([name]) => name in deps)?.[1] ?? "";
  const where = entry ?? "package.json's start script";
  return {
    name: stackName(folder.name),
    kind: "node",
    description: `Node.js${framework ? ` + ${framework}` : ""} (written by loadgate init)`,
    webserver: "Node.js",
    framework,
    command,
    workers: null,
    env: { DATABASE_URL: "{database_url}", PORT: "{port}", HOST: "127.0.0.1", NODE_ENV: "production" },
    ready: guessReady(routesIn(entry ? (folder.files.get(entry) ?? "") : ""), where),
    setup: setupOf(folder, pkg, missing),
    requirements: null,
    database: { ...sqlFiles(folder), setup: null },
    missing,
    notes: mentions(folder, "DATABASE_URL", /\.[cm]?[jt]s$/)
      ? []
      : [
          "Nothing in the JavaScript sources reads DATABASE_URL: the stack gives the database's URL in it; read it, or add the variable your app reads under app.env.",
        ],
  };
}
