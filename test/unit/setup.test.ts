import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadStackFile } from "../../src/config/stack-file.js";
import { appEnvironment, unfilled } from "../../src/stack/app-env.js";
import {
  fileHashes,
  type KeyFile,
  markerFile,
  readKeyFiles,
  type SetupMarker,
  setupDecision,
  setupKey,
} from "../../src/stack/app-setup.js";
import { tempDir } from "../support/temp.js";
import { messageOf } from "../support/user-error.js";

function stackDir(text: string, files: Record<string, string> = {}): string {
  const dir = tempDir("lg-setup-spec-");
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  writeFileSync(join(dir, "stack.yml"), text);
  return dir;
}

const stack = (app: string, database = "") => `name: demo
${database || "database: none"}
pooler: none
proxy: none
app:
  command: node server.js {port}
${app}
`;

describe("app.setup in the stack file", () => {
  it("text: a command with no cache key, run every time, default timeout 10 min", () => {
    const dir = stackDir(stack("  setup: go build -o server ."));
    const spec = loadStackFile(join(dir, "stack.yml"));
    expect(spec.app.setup).toEqual({
      command: "go build -o server .",
      files: [],
      creates: [],
      timeoutSeconds: 600,
      line: 7,
    });
    expect(spec.database).toBeNull();
  });

  it("a mapping: key files and creates resolved in app.cwd, the timeout parsed", () => {
    const dir = stackDir(
      stack(`  cwd: svc
  setup:
    command: npm ci --omit=dev
    files: [package-lock.json, src]
    creates: [node_modules]
    timeout: 5m`),
      { "svc/package-lock.json": "{}", "svc/src/a.js": "1" },
    );
    const spec = loadStackFile(join(dir, "stack.yml"));
    expect(spec.app.setup).toEqual({
      command: "npm ci --omit=dev",
      files: [join(dir, "svc/package-lock.json"), join(dir, "svc/src")],
      creates: [join(dir, "svc/node_modules")],
      timeoutSeconds: 300,
      line: 9, // the command's own line
    });
  });

  it("a key file that does not exist: file, line, field, where it looked and what to do", () => {
    const dir = stackDir(stack("  setup: { command: npm ci, files: [package-lock.jsn] }"), { "package-lock.json": "" });
    const msg = messageOf(() => loadStackFile(join(dir, "stack.yml")));
    expect(msg).toMatch(
      /stack\.yml:7:\d+: app\.setup\.files\[0\]: "package-lock\.jsn" not found \(looked for .*\/package-lock\.jsn\)/,
    );
    expect(msg).toContain("relative to the app's folder (app.cwd");
  });

  it("files given as text instead of a list, a number as the setup, an empty command, a zero timeout", () => {
    const dir = stackDir(stack("  setup: { command: npm ci, files: package-lock.json }"), { "package-lock.json": "" });
    expect(messageOf(() => loadStackFile(join(dir, "stack.yml")))).toMatch(
      /stack\.yml:7:\d+: app\.setup\.files: expected a list of files or folders, relative to app\.cwd, e\.g\. \[package-lock\.json\], found string "package-lock\.json"/,
    );
    const num = stackDir(stack("  setup: 42"));
    expect(messageOf(() => loadStackFile(join(num, "stack.yml")))).toMatch(
      /:7:10: app\.setup: expected a command \(text\), or a mapping with command and optionally files, creates, timeout, found number 42/,
    );
    const empty = stackDir(stack('  setup: ""'));
    expect(messageOf(() => loadStackFile(join(empty, "stack.yml")))).toContain(
      'app.setup: expected a command (text), or a mapping with command and optionally files, creates, timeout, found string ""',
    );
    const zero = stackDir(stack("  setup: { command: make, timeout: 0s }"));
    expect(messageOf(() => loadStackFile(join(zero, "stack.yml")))).toMatch(
      /:7:\d+: app\.setup\.timeout: expected a duration above zero \(e\.g\. "10m"\), found string "0s"/,
    );
  });

  it("an unknown key in the mapping names the keys there are", () => {
    const dir = stackDir(stack("  setup: { command: make, key: [Makefile] }"));
    expect(messageOf(() => loadStackFile(join(dir, "stack.yml")))).toContain(
      'app.setup.key: unknown key "key"; expected one of: command, files, creates, timeout.',
    );
  });
});

describe("database.setup in the stack file", () => {
  it("one command as text, or a list of commands and { command, timeout } mappings, each with its line", () => {
    const one = stackDir(stack("", "database:\n  setup: python manage.py migrate --noinput"));
    expect(loadStackFile(join(one, "stack.yml")).database?.setup).toEqual([
      { command: "python manage.py migrate --noinput", timeoutSeconds: 600, line: 3 },
    ]);
    const list = stackDir(
      stack(
        "",
        `database:
  setup:
    - alembic upgrade head
    - { command: "./manage loaddata fixtures.json", timeout: 90s }`,
      ),
    );
    expect(loadStackFile(join(list, "stack.yml")).database?.setup).toEqual([
      { command: "alembic upgrade head", timeoutSeconds: 600, line: 4 },
      { command: "./manage loaddata fixtures.json", timeoutSeconds: 90, line: 5 },
    ]);
    const none = stackDir(stack("", "database:\n  prewarm: false"));
    expect(loadStackFile(join(none, "stack.yml")).database?.setup).toEqual([]);
  });

  it("bad types and keys: field with its index, line, what was expected and found", () => {
    const num = stackDir(stack("", "database:\n  setup: 7"));
    expect(messageOf(() => loadStackFile(join(num, "stack.yml")))).toMatch(
      /:3:10: database\.setup: expected a command \(text\) or a list of commands, e\.g\. \["python manage\.py migrate --noinput"\], found number 7/,
    );
    const item = stackDir(stack("", "database:\n  setup:\n    - migrate\n    - [nested]\n    - { cmd: x }"));
    const msg = messageOf(() => loadStackFile(join(item, "stack.yml")));
    expect(msg).toMatch(
      /:5:7: database\.setup\[1\]: expected a command \(text\), or a mapping with command and optionally timeout, found a list/,
    );
    expect(msg).toMatch(/:6:\d+: database\.setup\[2\]\.cmd: unknown key "cmd"; expected one of: command, timeout/);
    expect(msg).toContain('database.setup[2].command: missing required key "command"');
    const empty = stackDir(stack("", "database:\n  setup: []"));
    expect(messageOf(() => loadStackFile(join(empty, "stack.yml")))).toContain("database.setup: expected a command");
  });
});

describe("app.setup's cache key", () => {
  const files: KeyFile[] = [{ name: "package-lock.json", bytes: Buffer.from('{"a":1}') }];

  it("is stable, and changes with the command, a file's bytes or name, and the Python environment", () => {
    const key = setupKey("npm ci", files);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(setupKey("npm ci", [{ name: "package-lock.json", bytes: Buffer.from('{"a":1}') }])).toBe(key);
    expect(setupKey("npm ci --omit=dev", files)).not.toBe(key);
    expect(setupKey("npm ci", [{ name: "package-lock.json", bytes: Buffer.from('{"a":2}') }])).not.toBe(key);
    expect(setupKey("npm ci", [{ name: "package.json", bytes: Buffer.from('{"a":1}') }])).not.toBe(key);
    expect(setupKey("npm ci", files, "/cache/venvs/abc")).not.toBe(key);
    // Name and bytes are delimited: moving bytes between two files is a different key.
    const ab = setupKey("x", [
      { name: "a", bytes: Buffer.from("12") },
      { name: "b", bytes: Buffer.from("3") },
    ]);
    const a_b = setupKey("x", [
      { name: "a", bytes: Buffer.from("1") },
      { name: "b", bytes: Buffer.from("23") },
    ]);
    expect(ab).not.toBe(a_b);
  });

  it("one marker per app folder and command, under <cache>/setup", () => {
    const m = markerFile("/c", "/app", "npm ci");
    expect(m).toMatch(/^\/c\/setup\/[0-9a-f]{16}\.json$/);
    expect(markerFile("/c", "/app", "npm ci")).toBe(m);
    expect(markerFile("/c", "/other", "npm ci")).not.toBe(m);
    expect(markerFile("/c", "/app", "npm install")).not.toBe(m);
  });

  it("decides: no key runs every time; no marker, a changed file, a missing output run; else cached", () => {
    const current = { key: "k2", files: fileHashes(files) };
    const marker: SetupMarker = { key: "k2", command: "npm ci", appDir: "/app", files: current.files, at: "t" };
    expect(setupDecision(null, marker, [])).toEqual({ run: true, reason: "no files key it, so it runs every time" });
    expect(setupDecision(current, undefined, [])).toMatchObject({
      run: true,
      reason: expect.stringMatching(/no earlier/),
    });
    expect(setupDecision(current, marker, [])).toEqual({ run: false });
    expect(setupDecision(current, marker, ["node_modules"])).toEqual({
      run: true,
      reason: "missing: node_modules (app.setup.creates)",
    });
    const old = { ...marker, key: "k1", files: { "package-lock.json": "0", "gone.txt": "1" } };
    expect(setupDecision(current, old, [])).toEqual({ run: true, reason: "changed: package-lock.json, gone.txt" });
    expect(setupDecision(current, { ...marker, key: "k1" }, [])).toEqual({
      run: true,
      reason: "the Python environment it runs with changed",
    });
  });

  it("reads a folder as every file under it in path order, named relative to the app folder", () => {
    const dir = stackDir("", { "src/b.go": "b", "src/a/z.go": "z", "go.sum": "s" });
    const read = readKeyFiles([join(dir, "go.sum"), join(dir, "src")], dir);
    expect(read.map((f) => f.name)).toEqual(["go.sum", "src/a/z.go", "src/b.go"]);
    expect(read.map((f) => Buffer.from(f.bytes).toString())).toEqual(["s", "z", "b"]);
  });
});

describe("the environment of the app's commands", () => {
  const ctx = { baseEnv: { PATH: "/usr/bin", HOME: "/root" }, python: { dir: "/v", bin: "/v/bin", created: false } };
  const appEnv = { DATABASE_URL: "{database_url}", MODE: "bench", DIR: "{stack_dir}/x" };

  it("app.setup, before the stack is up: app.env without what needs the running stack", () => {
    const env = appEnvironment(ctx, appEnv, { stack_dir: "/s" }, true);
    expect(env).toEqual({
      PATH: "/v/bin:/usr/bin",
      HOME: "/root",
      VIRTUAL_ENV: "/v",
      PYTHONUNBUFFERED: "1",
      MODE: "bench",
      DIR: "/s/x",
    });
    expect(unfilled("{database_url}?{port}&{other}", { port: 1 })).toEqual(["database_url"]);
  });

  it("database.setup and the app: every placeholder filled", () => {
    const env = appEnvironment(ctx, appEnv, { stack_dir: "/s", database_url: "postgresql://x" });
    expect(env.DATABASE_URL).toBe("postgresql://x");
  });
});
