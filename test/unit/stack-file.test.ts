import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_WORK_GATE } from "../../src/compare/gate.js";
import { loadStackFile, resolveStackPath } from "../../src/config/stack-file.js";
import { UserError } from "../../src/errors.js";
import { tempDir } from "../support/temp.js";

function stackFile(text: string, extra: Record<string, string> = {}): string {
  const dir = tempDir("lg-spec-");
  for (const [name, content] of Object.entries(extra)) writeFileSync(join(dir, name), content);
  const file = join(dir, "stack.yml");
  writeFileSync(file, text);
  return file;
}

function errorOf(file: string): UserError {
  try {
    loadStackFile(file);
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return err as UserError;
  }
  throw new Error("expected loadStackFile to throw");
}

const GOOD = `name: demo
database:
  schema: schema.sql
pooler: { pgbouncer: { pool_mode: transaction } }
proxy: none
app:
  command: gunicorn -w {workers} -b 127.0.0.1:{port} app:app
  workers: 4
  ready: { http: /health, timeout: 20s }
load:
  connections: 50
  duration: 3s
  trials: 2
gate:
  p99: "+15%"
`;

describe("loadStackFile", () => {
  it("reads a good file and fills defaults", () => {
    const spec = loadStackFile(stackFile(GOOD, { "schema.sql": "select 1;" }));
    expect(spec.name).toBe("demo");
    expect(spec.proxy).toBeNull();
    expect(spec.pooler).toEqual({ poolMode: "transaction", defaultPoolSize: 20, maxClientConn: 2000 });
    expect(spec.app.workers).toBe(4);
    expect(spec.app.ready).toEqual({ http: "/health", timeoutSeconds: 20 });
    expect(spec.load.durationSeconds).toBe(3);
    expect(spec.load.warmupSeconds).toBe(5);
    expect(spec.gate.p99).toBeCloseTo(0.15);
    expect(spec.gate.throughput).toBeCloseTo(-0.05);
    expect(spec.fileHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("reads the work gate's keys: a growth, a ceiling, off; the rest keep their defaults", () => {
    const text = GOOD.replace('  p99: "+15%"', '  p99: "+15%"\n  statements: "<4"\n  rows: "+5%"\n  pages: "off"');
    const spec = loadStackFile(stackFile(text, { "schema.sql": "" }));
    expect(spec.gate.work).toEqual({
      statements: { kind: "below", max: 4 },
      rows: { kind: "growth", limit: 0.05 },
      pages: null,
      connections: DEFAULT_WORK_GATE.connections,
    });
    expect(spec.lines["gate.statements"]).toBe(16);
    expect(loadStackFile(stackFile(GOOD, { "schema.sql": "" })).gate.work).toEqual(DEFAULT_WORK_GATE);
  });

  it("names file, line and field for a bad work gate value", () => {
    const bad = errorOf(stackFile(GOOD.replace('  p99: "+15%"', '  statements: "10"'), { "schema.sql": "" }));
    expect(bad.message).toMatch(/stack\.yml:15:15: gate\.statements: /);
    const zero = errorOf(stackFile(GOOD.replace('  p99: "+15%"', '  connections: "<0"'), { "schema.sql": "" }));
    expect(zero.message).toMatch(/stack\.yml:15:16: gate\.connections: expected a ceiling above zero/);
  });

  it("names file, line, field and the nearest key for a misspelt key", () => {
    const file = stackFile(GOOD.replace("  workers: 4", "  workrs: 4"), { "schema.sql": "" });
    const err = errorOf(file);
    // The file is named as given or relative to the working directory, with line and column.
    expect(err.message).toMatch(
      new RegExp(`${basename(dirname(file))}/stack\\.yml:8:3: app\\.workrs: unknown key "workrs"`),
    );
    expect(err.message).toContain('Did you mean "workers"?');
  });

  it("reports a wrong type with what was expected and what was found", () => {
    const err = errorOf(stackFile(GOOD.replace("connections: 50", "connections: lots"), { "schema.sql": "" }));
    expect(err.message).toMatch(/:11:16: load\.connections: expected a whole number, found string "lots"/);
  });

  it("reports a bad enum and a bad duration", () => {
    const err = errorOf(
      stackFile(GOOD.replace("pool_mode: transaction", "pool_mode: txn").replace("duration: 3s", "duration: 3 secs"), {
        "schema.sql": "",
      }),
    );
    expect(err.message).toContain('pooler.pgbouncer.pool_mode: expected one of "session", "transaction", "statement"');
    expect(err.message).toContain("load.duration: expected");
  });

  it("reports a missing required key", () => {
    const err = errorOf(stackFile("name: x\napp:\n  workers: 2\n"));
    expect(err.message).toContain('app.command: missing required key "command"');
  });

  it("reports malformed YAML with its line", () => {
    const err = errorOf(stackFile("name: x\napp:\n  command: [unclosed\n"));
    expect(err.message).toMatch(/stack\.yml:\d+:\d+: YAML syntax error/);
  });

  it("reports files the stack names that do not exist", () => {
    const err = errorOf(stackFile(GOOD));
    expect(err.message).toContain('database.schema: schema file "schema.sql" not found');
    expect(err.message).toMatch(/:3:11:/);
  });

  it("resolves a folder to its stack.yml and explains a missing one", () => {
    const file = stackFile(GOOD, { "schema.sql": "" });
    expect(resolveStackPath(join(file, ".."))).toBe(file);
    expect(() => resolveStackPath("/nonexistent/stack")).toThrow(/no such file or folder/);
    expect(() => resolveStackPath(tmpdir())).toThrow(/has no stack.yml/);
  });

  it("accepts 'none' and rejects other strings for optional components", () => {
    const err = errorOf(stackFile(GOOD.replace("proxy: none", "proxy: nginx"), { "schema.sql": "" }));
    expect(err.message).toContain('proxy: expected "none" or a mapping, found string "nginx"');
  });
});
