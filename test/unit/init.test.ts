// loadgate init without bringing anything up: detection and rendering (pure), the files written
// (--no-check, in process), and bad input: a clear message, exit 2 and the folder unchanged.

import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { loadStackFile } from "../../src/config/stack-file.js";
import { draftStack } from "../../src/init/detect.js";
import type { AppFolder } from "../../src/init/draft.js";
import { readAppFolder } from "../../src/init/folder.js";
import { renderStackFile, scalar } from "../../src/init/render.js";
import { guessReady, routesIn } from "../../src/init/routes.js";
import { ACTION_REF, renderWorkflow } from "../../src/init/workflow.js";
import { runMain } from "../support/cli.js";
import { messageOf } from "../support/user-error.js";

const ROOT = resolve(import.meta.dirname, "../..");
const temps: string[] = [];
afterAll(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "lg-init-unit-"));
  temps.push(dir);
  return dir;
}

/** An app folder in memory. */
const folder = (files: Record<string, string>, name = "shop"): AppFolder => ({
  shown: `apps/${name}`,
  name,
  files: new Map(Object.entries(files)),
});

/** An app folder on disk with `files`, in a temp folder of its own (no git repository). */
function appDir(files: Record<string, string>, name = "app"): string {
  const dir = join(tempDir(), name);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Every file under `dir` with its bytes: to check that a refused init changed nothing. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = readFileSync(p, "utf8");
    }
  };
  walk(dir);
  return out;
}

const FLASK_APP = `import os
from flask import Flask

app = Flask(__name__)

@app.route("/items/<int:id>")
def item(id):
    return str(id)

@app.route("/")
def index():
    return os.environ["DATABASE_URL"]
`;
const FLASK_REQS = "flask==3.1.3\ngunicorn==27.0.1\n";

describe("detection (pure)", () => {
  it("Flask: Gunicorn on module:variable, the requirements, the route / for readiness", () => {
    const d = draftStack(folder({ "app.py": FLASK_APP, "requirements.txt": FLASK_REQS }));
    expect(d.kind).toBe("flask");
    expect(d.command.value).toBe("gunicorn --workers {workers} --bind 127.0.0.1:{port} --no-control-socket app:app");
    expect(d.command.guess).toContain("app.py makes the app");
    expect(d.requirements).toBe("requirements.txt");
    expect(d.ready).toMatchObject({ value: "/" });
    expect(d.env).toEqual({ DATABASE_URL: "{database_url}" });
    expect(d.missing).toEqual([]);
    expect(d.notes).toEqual([]);
  });

  it("FastAPI and Starlette: Uvicorn, a factory with --factory, a missing server said", () => {
    const fastapi = draftStack(
      folder({
        "main.py":
          'from fastapi import FastAPI\napi: FastAPI = FastAPI()\n@api.get("/health")\ndef h(): ...\n@api.get("/users")\ndef u(): ...\n',
        "requirements.txt": "fastapi==0.1\n",
      }),
    );
    expect(fastapi.kind).toBe("fastapi");
    expect(fastapi.command.value).toBe(
      "uvicorn main:api --host 127.0.0.1 --port {port} --workers {workers} --no-access-log",
    );
    // Not the health check: it would be the first load request too.
    expect(fastapi.ready.value).toBe("/users");
    expect(fastapi.missing.join("\n")).toContain("requirements.txt has no uvicorn");
    expect(fastapi.notes.join("\n")).toContain("DATABASE_URL");
    const starlette = draftStack(
      folder({
        "srv/web.py":
          "from starlette.applications import Starlette\ndef create_app():\n    return Starlette(routes=[Route('/ping', p)])\n",
      }),
    );
    expect(starlette.kind).toBe("starlette");
    expect(starlette.command.value).toContain("uvicorn srv.web:create_app --factory --host 127.0.0.1");
    expect(starlette.requirements).toBeNull();
    expect(starlette.missing.join("\n")).toContain("apps/shop: no requirements.txt");
  });

  it("Django (the built-in folder): the settings' project, migrations as database.setup, a URLconf route", () => {
    const d = draftStack(readAppFolder(join(ROOT, "stacks/django"), "stacks/django"));
    expect(d.kind).toBe("django");
    expect(d.command.value).toContain("--bind 127.0.0.1:{port} --no-control-socket benchsite.wsgi");
    expect(d.env.DJANGO_SETTINGS_MODULE).toBe("benchsite.settings");
    expect(d.database.setup?.value).toBe("python manage.py migrate --noinput");
    expect(d.ready.value).toBe("/test");
  });

  it("Node.js (the built-in fastify-pg folder): node main, npm ci keyed by the lockfile, PORT in the env", () => {
    const d = draftStack(readAppFolder(join(ROOT, "stacks/fastify-pg"), "stacks/fastify-pg"));
    expect(d).toMatchObject({ kind: "node", framework: "Fastify", workers: null });
    expect(d.command.value).toBe("node server.js");
    expect(d.setup?.value).toEqual({
      command: "npm ci --no-audit --no-fund",
      files: ["package.json", "package-lock.json"],
      creates: ["node_modules"],
    });
    expect(d.env).toMatchObject({ PORT: "{port}", DATABASE_URL: "{database_url}" });
    expect(d.ready.value).toBe("/test");
    const start = draftStack(folder({ "package.json": '{"scripts":{"start":"node a.js","build":"tsc"}}' }));
    expect(start.command.value).toBe("npm start");
    expect(start.setup?.value).toMatchObject({ command: "npm install --no-audit --no-fund && npm run build" });
    expect(start.missing.join("\n")).toContain("no package-lock.json");
  });

  it("Go: go build as app.setup, the binary as the command, a cmd/<name> main package", () => {
    const root = draftStack(
      folder({
        "go.mod": "module example.com/acme/api\n\ngo 1.22\n",
        "main.go": 'package main\nfunc main() { http.HandleFunc("GET /orders", h) }\n',
      }),
    );
    expect(root).toMatchObject({ kind: "go", command: { value: "./api" }, setup: { value: "go build -o api ." } });
    expect(root.ready.value).toBe("/orders");
    const cmd = draftStack(folder({ "go.mod": "module x\n", "cmd/server/main.go": "package main\n" }));
    expect(cmd.setup?.value).toBe("go build -o server ./cmd/server");
  });

  it("--command replaces the command; --framework forces a kind; Python wins over a package.json", () => {
    const both = folder({ "app.py": FLASK_APP, "requirements.txt": FLASK_REQS, "package.json": "{}" });
    expect(draftStack(both).kind).toBe("flask");
    expect(draftStack(both).notes.join("\n")).toContain("--framework node");
    const node = draftStack(both, { framework: "node", command: "node x.js {port}" });
    expect(node).toMatchObject({ kind: "node", command: { value: "node x.js {port}" }, workers: null });
    const plain = draftStack(folder({}), { command: "./serve --listen 127.0.0.1:{port} -w {workers}" });
    expect(plain).toMatchObject({ kind: "command", workers: { value: 1 } });
    const noPort = draftStack(folder({}), { command: "./serve" });
    expect(noPort.env.PORT).toBe("{port}");
    expect(noPort.notes.join("\n")).toContain("$PORT");
  });

  it("bad input: no app, an unknown framework, a bad --command, an app object not found", () => {
    expect(messageOf(() => draftStack(folder({ "README.md": "" })))).toMatch(/^apps\/shop: no app found: .*--command/);
    expect(messageOf(() => draftStack(folder({ "tool.py": "import tornado\n" })))).toContain("an unknown framework");
    expect(messageOf(() => draftStack(folder({}), { framework: "rails" }))).toContain('unknown framework "rails"');
    expect(messageOf(() => draftStack(folder({}), { command: "  " }))).toContain("--command: expected one line");
    expect(messageOf(() => draftStack(folder({}), { command: "serve {prot}" }))).toContain(
      "unknown placeholder {prot}",
    );
    expect(messageOf(() => draftStack(folder({ "a.py": "import flask\n" })))).toContain("no file makes the app");
    expect(messageOf(() => draftStack(folder({ "package.json": "{" })))).toContain(
      "apps/shop/package.json: not a JSON",
    );
  });

  it("names that go into a shell command are taken only when they hold no shell syntax", () => {
    const flask = folder({ "x;touch pwned.py": FLASK_APP, "requirements.txt": FLASK_REQS });
    expect(messageOf(() => draftStack(flask))).toContain("no file makes the app");
    const node = draftStack(
      folder({ "package.json": '{"main":"s.js;touch pwned"}', "s.js;touch pwned": "", "index.js": "" }),
    );
    expect(node.command.value).toBe("node index.js");
    const go = draftStack(folder({ "go.mod": "module example.com/$(touch pwned)\n", "main.go": "package main\n" }));
    expect(go.command.value).toBe("./app");
    expect(go.setup?.value).toBe("go build -o app .");
  });

  it("routes: parameters, admin and static paths are skipped; Django paths get their slash", () => {
    expect(routesIn('@app.get("/a/{id}")\n@app.get("/b")\napp.get("/c/:id")')).toEqual(["/b"]);
    expect(routesIn('path("admin/", admin.site.urls), path("", home), path("api/", include("x"))', true)).toEqual([
      "/",
    ]);
    expect(guessReady([], "x.py")).toMatchObject({
      value: "/",
      guess: expect.stringContaining("no route found in x.py"),
    });
    expect(guessReady(["/healthz"], "x.py").value).toBe("/healthz");
  });
});

describe("rendering (pure)", () => {
  it("a stack file the schema and loadStackFile accept, each guess under a # guessed: line", () => {
    const dir = appDir({ "app.py": FLASK_APP, "requirements.txt": FLASK_REQS, "schema.sql": "", "seed.sql": "" });
    const d = draftStack(readAppFolder(dir, "app"));
    const text = renderStackFile(d);
    writeFileSync(join(dir, "stack.yml"), text);
    const spec = loadStackFile(join(dir, "stack.yml"));
    expect(spec.app.command).toBe(d.command.value);
    expect(spec.database).toMatchObject({ schema: join(dir, "schema.sql"), seed: join(dir, "seed.sql") });
    expect(spec.pooler).not.toBeNull();
    expect(spec.proxy).not.toBeNull();
    expect(spec.app.python?.requirements).toBe(join(dir, "requirements.txt"));
    const lines = text.split("\n");
    const guessed = lines.flatMap((l, i) => (l.trimStart().startsWith("# guessed:") ? [lines[i + 1].trim()] : []));
    expect(guessed.map((l) => l.split(":")[0])).toEqual(["command", "workers", "ready", "requests"]);
  });

  it("scalars: plain when safe, quoted otherwise", () => {
    expect(scalar("benchsite.wsgi")).toBe("benchsite.wsgi");
    expect(scalar("{port}")).toBe('"{port}"');
    expect(scalar("yes")).toBe('"yes"');
    expect(scalar('a "b": c')).toBe('"a \\"b\\": c"');
  });

  it("the workflow: triggers, permissions per job, checkout, the Action's placeholder, install", () => {
    const text = renderWorkflow({ stack: "services/api", branch: { value: "trunk" } });
    const wf = parse(text);
    expect(Object.keys(wf.on)).toEqual(["pull_request", "merge_group", "push"]);
    expect(wf.on.push.branches).toEqual(["trunk"]);
    expect(wf.permissions).toEqual({});
    expect(wf.jobs.measure.permissions).toEqual({ contents: "read" });
    expect(wf.jobs["loadgate-report"].permissions).toEqual({ "pull-requests": "write" });
    // Every action but loadgate's placeholder pinned by a full commit.
    for (const job of Object.values(wf.jobs) as { steps: { uses: string }[] }[]) {
      for (const step of job.steps) if (step.uses !== ACTION_REF) expect(step.uses).toMatch(/@[0-9a-f]{40}$/);
    }
    const [checkout, action] = wf.jobs.measure.steps;
    expect(checkout).toEqual({
      uses: "actions/checkout@d23441a48e516b6c34aea4fa41551a30e30af803",
      with: { "fetch-depth": 0, "persist-credentials": false },
    });
    expect(action.uses).toBe(ACTION_REF);
    expect(action.with).toMatchObject({ stack: "services/api", install: true, comment: "never" });
    expect(wf.jobs["loadgate-report"].steps[1]).toEqual({
      uses: ACTION_REF,
      with: { mode: "report", "result-file": "results" },
    });
    expect(text).toContain(`# ${ACTION_REF}: replace it`);
    for (const line of text.split("\n")) expect(line.length, line).toBeLessThanOrEqual(100);
    expect(renderWorkflow({ stack: ".", branch: { value: "main", guess: "main" } })).toContain(
      "  push:\n    # guessed: main\n    branches: [main]\n",
    );
  });
});

describe("loadgate init --no-check (files only, in process)", { tags: ["spawns"] }, () => {
  const init = (argv: string[], cwd: string) =>
    runMain(["init", ...argv, "--no-check"], { cwd, env: { PATH: process.env.PATH } });

  it("writes stack.yml and, outside a repository, the workflow in the folder; both load", async () => {
    const dir = appDir({ "app.py": FLASK_APP, "requirements.txt": FLASK_REQS });
    const r = await init(["app"], join(dir, ".."));
    expect(r, r.stderr).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout).toContain('Wrote app/stack.yml: 4 guesses, each under a "# guessed:" line');
    expect(r.stdout).toContain(`Wrote app/.github/workflows/loadgate.yml: replace ${ACTION_REF}`);
    expect(loadStackFile(join(dir, "stack.yml")).name).toBe("app");
    expect(
      parse(readFileSync(join(dir, ".github/workflows/loadgate.yml"), "utf8")).jobs.measure.steps[1].with.stack,
    ).toBe(".");
  });

  it("inside a git repository: the workflow at its root, naming the folder from there", async () => {
    const repo = tempDir();
    mkdirSync(join(repo, ".git"));
    const dir = join(repo, "services", "web");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "package.json"), '{"scripts":{"start":"node s.js"}}');
    const r = await init([], dir);
    expect(r.code, r.stderr).toBe(0);
    const wf = parse(readFileSync(join(repo, ".github/workflows/loadgate.yml"), "utf8"));
    expect(wf.jobs.measure.steps[1].with.stack).toBe("services/web");
    expect(loadStackFile(join(dir, "stack.yml")).app.setup?.command).toBe("npm install --no-audit --no-fund");
  });

  it("a lockfile too large to read still counts as there", () => {
    const lock = JSON.stringify({ packages: { x: "y".repeat(300 * 1024) } });
    const dir = appDir({ "package.json": '{"main":"s.js"}', "package-lock.json": lock, "s.js": "" });
    const d = draftStack(readAppFolder(dir, "app"));
    expect(d.setup?.value).toMatchObject({ command: "npm ci --no-audit --no-fund" });
    expect(d.missing).toEqual([]);
  });

  it("--no-workflow writes the stack file alone; a second init refuses and changes nothing", async () => {
    const dir = appDir({ "go.mod": "module x/y\n", "main.go": "package main\n" });
    const first = await init([dir, "--no-workflow"], ROOT);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain("Found a Go app (Go net/http).");
    expect(readdirSync(dir).sort()).toEqual(["go.mod", "main.go", "stack.yml"]);
    const before = snapshot(dir);
    const again = await init([dir, "--no-workflow"], ROOT);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(
      `${relative(ROOT, join(dir, "stack.yml"))} already exists; loadgate init does not overwrite`,
    );
    expect(again.stderr).toContain("Nothing was written.");
    expect(snapshot(dir)).toEqual(before);
  });

  it.each([
    ["no app found", {}, [], /app: no app found: init looks for Django/],
    ["a Python app of an unknown framework", { "main.py": "import tornado\n" }, [], /an unknown framework.*--command/],
    [
      "an unknown --framework",
      { "app.py": FLASK_APP },
      ["--framework", "rails"],
      /--framework: unknown framework "rails"/,
    ],
    ["a bad --command", {}, ["--command", "serve --port {prot}"], /--command: unknown placeholder \{prot\}/],
    [
      "an existing stack file",
      { "app.py": FLASK_APP, "stack.yml": "name: mine\n" },
      [],
      /app\/stack\.yml already exists/,
    ],
    [
      "an existing stack.yaml",
      { "app.py": FLASK_APP, "stack.yaml": "name: mine\n" },
      [],
      /app\/stack\.yaml already exists/,
    ],
    [
      "an existing workflow",
      { "app.py": FLASK_APP, ".github/workflows/loadgate.yml": "name: mine\n" },
      [],
      /app\/\.github\/workflows\/loadgate\.yml already exists.*--no-workflow/s,
    ],
    ["an unknown flag", { "app.py": FLASK_APP }, ["--nope"], /--nope.*See "loadgate init --help"/],
  ] as const)("%s: exit 2, a message naming it, the folder unchanged", async (_name, files, flags, message) => {
    const dir = appDir(files);
    const before = snapshot(dir);
    const r = await init(["app", ...flags], join(dir, ".."));
    expect(r.code, r.stdout).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(message);
    expect(snapshot(dir)).toEqual(before);
  });

  it("a folder that does not exist: exit 2", async () => {
    const r = await init(["no/such/app"], tempDir());
    expect(r).toMatchObject({ code: 2, stdout: "" });
    expect(r.stderr).toContain("no/such/app: no such folder");
  });
});

describe("the built-in folders copied without their stack files", { tags: ["spawns"] }, () => {
  it.each(["django", "fastify-pg", "gunicorn-flask", "uvicorn-starlette"])("%s: a stack file that loads", (name) => {
    const dir = join(tempDir(), name);
    cpSync(join(ROOT, "stacks", name), dir, { recursive: true });
    rmSync(join(dir, "stack.yml"));
    const d = draftStack(readAppFolder(dir, name));
    writeFileSync(join(dir, "stack.yml"), renderStackFile(d));
    const spec = loadStackFile(join(dir, "stack.yml"));
    expect(spec.name).toBe(name);
    expect(spec.app.framework).toBe(
      { django: "Django", "fastify-pg": "Fastify", "gunicorn-flask": "Flask", "uvicorn-starlette": "Starlette" }[name],
    );
  });
});
