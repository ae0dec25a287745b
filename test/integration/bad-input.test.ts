import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { around, result } from "../support/results.js";
import { tempDir } from "../support/temp.js";
import { expectNothingLeft, runCli, TINY_APP } from "./helpers.js";

// Every bad input of issue 20, through the CLI a user runs: exit 2, the file, line, field and what
// was expected, nothing started, no baseline written. docs/failure-modes.md quotes these messages.

function stack(extra: string, files: Record<string, string> = {}): string {
  const dir = tempDir("lg-badin-");
  writeFileSync(
    join(dir, "stack.yml"),
    `name: bad\ndatabase: none\npooler: none\nproxy: none\napp:\n  command: python3 ${TINY_APP} {port}\n  ready: { http: /test, timeout: 4s }\n${extra}`,
  );
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

async function refused(args: string[]) {
  const out = tempDir("lg-badin-out-");
  const saved = join(out, "baseline.json");
  const run = await runCli([...args, "--save-baseline", saved]);
  expect(run.code, run.stderr).toBe(2);
  expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
  expect(run.stderr).not.toMatch(/started: pid/); // nothing was started
  expect(existsSync(saved)).toBe(false); // no baseline written
  expectNothingLeft(run);
  return run.stderr;
}

describe("bad input: exit 2 with file, line, field and what was expected; nothing started, no baseline written", () => {
  it.each([
    ["10", 'stack.yml:9:8: gate.p99: expected a growth like "+10%"', "found number 10."],
    ["'+10'", 'stack.yml:9:8: gate.p99: expected a growth like "+10%"', 'found string "+10".'],
    ["'ten%'", 'stack.yml:9:8: gate.p99: expected a growth like "+10%"', 'found string "ten%".'],
    ["'+10 %'", 'stack.yml:9:8: gate.p99: expected a growth like "+10%"', 'found string "+10 %".'],
  ])("a threshold written %s", async (value, head, tail) => {
    const err = await refused(["run", stack(`gate:\n  p99: ${value}\n`)]);
    expect(err).toContain(head);
    expect(err).toContain(tail);
  });

  it.each([
    [
      "-1s",
      'stack.yml:9:13: load.duration: expected a duration like "10s", "500ms" or "2m" (or a number of seconds), found string "-1s".',
    ],
    ["0s", 'stack.yml:9:13: load.duration: expected a duration above zero (e.g. "10s"), found string "0s".'],
    [
      "soon",
      'stack.yml:9:13: load.duration: expected a duration like "10s", "500ms" or "2m" (or a number of seconds), found string "soon".',
    ],
  ])("a duration written %s", async (value, message) => {
    expect(await refused(["run", stack(`load:\n  duration: ${value}\n`)])).toContain(message);
  });

  it("trials 0", async () => {
    expect(await refused(["run", stack("load:\n  trials: 0\n")])).toContain(
      "stack.yml:9:11: load.trials: expected a whole number of at least 1, found number 0.",
    );
  });

  it("a schema file that does not exist, and an app folder that does not exist", async () => {
    const dir = tempDir("lg-badin-");
    writeFileSync(
      join(dir, "stack.yml"),
      `name: bad\ndatabase:\n  schema: missing.sql\napp:\n  command: python3 ${TINY_APP} {port}\n  cwd: no-such-folder\n`,
    );
    const err = await refused(["run", dir]);
    expect(err).toContain(
      `stack.yml:3:11: database.schema: schema file "missing.sql" not found (looked for ${join(dir, "missing.sql")}). Paths are relative to the stack file's folder.`,
    );
    expect(err).toContain(
      `stack.yml:6:8: app.cwd: folder "no-such-folder" not found (looked for ${join(dir, "no-such-folder")}).`,
    );
  });

  it("a baseline file that is not JSON, of another schemaVersion, or of another stack; and one that does not exist", async () => {
    const dir = tempDir("lg-badin-base-");
    const s = stack("");
    writeFileSync(join(dir, "not-json.json"), "{nope");
    expect(await refused(["run", s, "--baseline", join(dir, "not-json.json")])).toContain(
      `${join(dir, "not-json.json")}: not valid JSON (`,
    );
    writeFileSync(join(dir, "v7.json"), '{"schemaVersion": 7, "results": []}');
    expect(await refused(["run", s, "--baseline", join(dir, "v7.json")])).toContain(
      `${join(dir, "v7.json")}: schemaVersion: expected 2, found 7. Give a file written by loadgate --json (schemaVersion 2).`,
    );
    const other = {
      schemaVersion: 1,
      tool: { name: "loadgate", version: "t" },
      createdAt: "2026-11-30T00:00:00Z",
      results: [{ ...result(around(1000, 40)), stack: { name: "other", file: "x", webserver: "w", framework: "f" } }],
    };
    writeFileSync(join(dir, "other.json"), JSON.stringify(other));
    expect(await refused(["run", s, "--baseline", join(dir, "other.json")])).toContain(
      `--baseline ${join(dir, "other.json")}: results[].stack.name: it holds "other", and this run measures "bad": a baseline of another stack.`,
    );
    expect(await refused(["run", s, "--baseline", join(dir, "missing.json")])).toContain(
      `--baseline ${join(dir, "missing.json")}: no such file. Create it with a first run: --save-baseline`,
    );
  });
});
