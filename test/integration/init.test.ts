// loadgate init through the built CLI, on real PostgreSQL, PgBouncer, nginx and the apps' servers:
// the written stack file loads, the check brings the stack up once and it answers (Flask and FastAPI
// apps of a few lines, copies of the built-in django and fastify-pg folders without their stack
// files); without --install it says what is missing; an app that does not come up gets exit 3 and
// what to fix. Bad input (exit 2, nothing written) is in test/unit/init.test.ts (no bring-up needed).

import { spawnSync } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadStackFile } from "../../src/config/stack-file.js";
import { expectNothingLeftOf, ROOT, runTagged } from "./helpers.js";

const temps: string[] = [];
afterAll(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

/** An app folder `name` in a temp folder (no git repository: the workflow goes in the folder). */
function app(name: string, files: Record<string, string>, copyOf?: string): string {
  const parent = mkdtempSync(join(tmpdir(), "lg-init-"));
  temps.push(parent);
  chmodSync(parent, 0o755); // the app and its setup may run as another user (postgres, nobody)
  const dir = join(parent, name);
  if (copyOf) {
    cpSync(join(ROOT, "stacks", copyOf), dir, { recursive: true });
    rmSync(join(dir, "stack.yml"));
  } else mkdirSync(dir);
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return dir;
}

const common = (file: string) => readFileSync(join(ROOT, "stacks/common", file), "utf8");

/** The built-in gunicorn-flask row's pins: the same file, so the same cached virtualenv. */
const FLASK_REQUIREMENTS = readFileSync(join(ROOT, "stacks/gunicorn-flask/requirements.txt"), "utf8");

const FLASK_APP = `import os
from flask import Flask

app = Flask(__name__)
DATABASE = os.environ["DATABASE_URL"]


@app.get("/")
def index():
    return {"ok": True}
`;

const FASTAPI_APP = `import os
from fastapi import FastAPI

app = FastAPI()
DATABASE = os.environ["DATABASE_URL"]


@app.get("/hello")
def hello():
    return {"hello": "world"}
`;

/** Resolved with pip on 2025's releases; every package pinned, direct and transitive. */
const FASTAPI_REQUIREMENTS = `fastapi==0.165.0
uvicorn==0.55.0
starlette==1.10.0
pydantic==2.14.4
pydantic_core==2.50.5
annotated-doc==0.0.7
annotated-types==0.8.0
anyio==4.16.0
click==8.5.1
h11==0.16.0
idna==3.21
opentelemetry-api==1.45.3
typing-inspection==0.4.5
typing_extensions==4.16.0
`;

async function init(dir: string, flags: string[] = ["--install"]) {
  const run = await runTagged(["init", dir, ...flags], { timeoutMs: 600_000 });
  expectNothingLeftOf(run);
  return run;
}

/** The stack file and workflow were written, and the stack file loads. */
function expectWritten(dir: string) {
  expect(existsSync(join(dir, ".github/workflows/loadgate.yml"))).toBe(true);
  return loadStackFile(join(dir, "stack.yml"));
}

describe("loadgate init: the check brings the stack up once", () => {
  it("a Flask app of a few lines: Gunicorn, answered through nginx", async () => {
    const dir = app("flask-app", { "app.py": FLASK_APP, "requirements.txt": FLASK_REQUIREMENTS });
    const run = await init(dir);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain("Found a Flask app (Gunicorn).");
    expect(run.stdout).toMatch(/It answered: GET http:\/\/127\.0\.0\.1:\d+\/ returned 2xx/);
    expect(expectWritten(dir).app.command).toContain("gunicorn --workers {workers} --bind 127.0.0.1:{port}");
  }, 600_000);

  it("a FastAPI app of a few lines: Uvicorn, its one route as the readiness path", async () => {
    const dir = app("fastapi-app", { "main.py": FASTAPI_APP, "requirements.txt": FASTAPI_REQUIREMENTS });
    const run = await init(dir);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/It answered: GET http:\/\/127\.0\.0\.1:\d+\/hello returned 2xx/);
    expect(expectWritten(dir).app.ready.http).toBe("/hello");
  }, 600_000);

  it("a copy of the built-in django folder (and the study's seed): migrations, then /test answers", async () => {
    const dir = app("django", { "seed.sql": common("seed.sql") }, "django");
    const run = await init(dir);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/It answered: GET http:\/\/127\.0\.0\.1:\d+\/test returned 2xx/);
    const spec = expectWritten(dir);
    expect(spec.database?.setup.map((s) => s.command)).toEqual(["python manage.py migrate --noinput"]);
  }, 600_000);

  it("a copy of the built-in fastify-pg folder: npm ci as app.setup, the command given with --command", async () => {
    const dir = app("fastify-pg", { "schema.sql": common("schema.sql"), "seed.sql": common("seed.sql") }, "fastify-pg");
    const run = await init(dir, ["--install", "--command", "node server.js {port} {workers}"]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/It answered: GET http:\/\/127\.0\.0\.1:\d+\/test returned 2xx/);
    expect(expectWritten(dir).app.setup?.command).toBe("npm ci --no-audit --no-fund");
  }, 600_000);
});

const GO_MAIN = `package main

import (
	"fmt"
	"net/http"
	"os"
)

func main() {
	_ = os.Getenv("DATABASE_URL")
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") })
	if err := http.ListenAndServe("127.0.0.1:"+os.Getenv("PORT"), nil); err != nil {
		panic(err)
	}
}
`;

/** Go is not among the system packages the suite installs: this one runs where a Go toolchain is. */
const HAS_GO = spawnSync("go", ["version"]).status === 0;

describe("loadgate init: a Go module (where a Go toolchain is installed)", () => {
  it.runIf(HAS_GO)(
    "go build as app.setup, the binary reads PORT, answered",
    async () => {
      const dir = app("go-app", { "go.mod": "module example.com/hello\n\ngo 1.21\n", "main.go": GO_MAIN });
      const run = await init(dir);
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(run.stdout).toContain("Found a Go app (Go net/http).");
      expect(run.stdout).toMatch(/It answered: GET http:\/\/127\.0\.0\.1:\d+\/ returned 2xx/);
      expect(expectWritten(dir).app.setup?.command).toBe("go build -o hello .");
    },
    600_000,
  );
});

describe("loadgate init: when the check fails, the files stay and it says what to fix (exit 3)", () => {
  it("without --install: the Python environment is missing, said with the way to install it", async () => {
    // A requirements file of its own (a comment makes its hash new): no cached virtualenv.
    const reqs = `# ${Date.now()} ${Math.random()}\n${FLASK_REQUIREMENTS}`;
    const dir = app("not-installed", { "app.py": FLASK_APP, "requirements.txt": reqs });
    const run = await init(dir, []);
    expect(run.code, run.stdout + run.stderr).toBe(3);
    expect(run.stdout).toContain("Not checked: The Python environment for");
    expect(run.stdout).toContain("Run again with --install");
    expect(run.stdout).toContain(`check again with: loadgate up ${dir} --install`);
    expectWritten(dir);
  }, 600_000);

  it("an app that fails to load: it did not come up, with the app's own error", async () => {
    const broken = FLASK_APP.replace("import os", "import os\nimport no_such_module_here");
    const dir = app("broken", { "app.py": broken, "requirements.txt": FLASK_REQUIREMENTS });
    const run = await init(dir);
    expect(run.code, run.stdout + run.stderr).toBe(3);
    expect(run.stdout).toContain("It did not come up:");
    // The app's log is named (its tail holds Gunicorn's halt; the worker's ImportError is above it).
    expect(run.stdout).toMatch(/app exited with code \d+ before it was ready \(HTTP 2xx on \/\)/);
    expect(run.stdout).toMatch(/last lines of \S+\/app\.log/);
    expect(run.stdout).toContain("Fix the app or the guesses in the stack file");
    expectWritten(dir);
  }, 600_000);
});
