// Pure: the stack draft of a Go module (go.mod): `go build` as app.setup, the binary as the command.

import { type AppFolder, mentions, type StackDraft, stackName } from "./draft.js";
import { sqlFiles } from "./python.js";
import { guessReady, routesIn } from "./routes.js";

/** The main package: the module's root when it is one, else the first cmd/<name>/. */
function mainPackage(folder: AppFolder): { pkg: string; dir: string } | null {
  const isMain = (path: string, text: string) => path.endsWith(".go") && /^package main\b/m.test(text);
  const files = [...folder.files];
  if (files.some(([p, t]) => !p.includes("/") && isMain(p, t))) return { pkg: ".", dir: "" };
  const cmd = files.find(([p, t]) => /^cmd\/[A-Za-z0-9_][\w.-]*\/[^/]+\.go$/.test(p) && isMain(p, t));
  return cmd
    ? { pkg: `./${cmd[0].split("/").slice(0, 2).join("/")}`, dir: `${cmd[0].split("/").slice(0, 2).join("/")}/` }
    : null;
}

export function goDraft(folder: AppFolder): StackDraft {
  const mod = /^module\s+(\S+)/m.exec(folder.files.get("go.mod") ?? "")?.[1] ?? folder.name;
  const main = mainPackage(folder);
  // The name goes into the commands as it is: letters, digits, ".", "_", "-" only.
  const last = (main && main.pkg !== "." ? main.pkg.split("/").pop() : mod.split("/").pop()) ?? "";
  const binary = /^[A-Za-z0-9_][\w.-]*$/.test(last) ? last : "app";
  const sources = [...folder.files].filter(([p]) => p.endsWith(".go") && p.startsWith(main?.dir ?? ""));
  const routes = sources.flatMap(([, t]) => routesIn(t));
  return {
    name: stackName(folder.name),
    kind: "go",
    description: "Go (written by loadgate init)",
    webserver: "Go net/http",
    framework: "",
    command: {
      value: `./${binary}`,
      guess: `the binary go build makes of ${main?.pkg ?? "."}; it must listen on 127.0.0.1:$PORT`,
    },
    workers: null,
    env: { DATABASE_URL: "{database_url}", PORT: "{port}" },
    ready: guessReady(routes, main?.dir ? `${main.dir}*.go` : "the .go files"),
    // Text: run before every bring-up; Go's build cache makes a rebuild of unchanged code quick.
    setup: {
      value: `go build -o ${binary} ${main?.pkg ?? "."}`,
      guess: "builds before every bring-up (Go's build cache keeps it quick)",
    },
    requirements: null,
    database: { ...sqlFiles(folder), setup: null },
    missing: main
      ? []
      : [`${folder.shown}: no package main found (at the root or in cmd/<name>/): set app.setup and app.command.`],
    notes: mentions(folder, "DATABASE_URL", /\.go$/)
      ? []
      : [
          "Nothing in the Go sources reads DATABASE_URL: the stack gives the database's URL in it; read it, or add the variable your app reads under app.env.",
        ],
  };
}
