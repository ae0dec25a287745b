import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

// docs/failure-modes.md quotes the tests that check each fault and bad input. This keeps the two
// together: a quoted message, a test title or an exit code that no longer matches its test fails here.

const ROOT = resolve(import.meta.dirname, "../..");
const doc = readFileSync(join(ROOT, "docs/failure-modes.md"), "utf8");

interface Row {
  what: string;
  exit: string;
  sees: string;
  file: string;
  title: string;
}

function rows(): Row[] {
  const out: Row[] = [];
  for (const line of doc.split("\n")) {
    if (!line.startsWith("| ") || line.startsWith("| ---") || /^\| (Fault|Bad input) \|/.test(line)) continue;
    // Cells are separated by " | " (a "|" inside a quote is always in a code span, never spaced that way).
    const cells = line.slice(2, -2).split(" | ");
    expect(cells, line).toHaveLength(4);
    const [what, exit, sees, test] = cells as [string, string, string, string];
    const m = /^`([^`]+)`: (.+)$/.exec(test);
    expect(m, `the Test cell of "${what}" names a file and a test title`).not.toBeNull();
    out.push({ what, exit, sees, file: m![1]!, title: m![2]! });
  }
  return out;
}

/** The code spans of a cell, less the ones that only name a flag, a key or a value (they hold no "…" and no space). */
const quotes = (cell: string) =>
  [...cell.matchAll(/`([^`]+)`/g)].map((q) => q[1]!).filter((q) => q.includes(" ") || q.includes(":"));

describe("docs/failure-modes.md", () => {
  const all = rows();

  it("lists the faults and bad inputs of issue 20", () => {
    expect(all.length).toBeGreaterThanOrEqual(20);
    for (const needle of ["SIGTERM three times", "threshold", "duration", "trials: 0", "another stack", "not allowed"])
      expect(
        all.some((r) => r.what.includes(needle)),
        needle,
      ).toBe(true);
  });

  it.each(all.map((r) => [r.what, r] as const))("%s: its test exists, and quotes what the table says", (_, r) => {
    const file = join(ROOT, r.file);
    expect(existsSync(file), r.file).toBe(true);
    const source = readFileSync(file, "utf8");
    expect(source, `${r.file} has a test titled "${r.title}"`).toContain(r.title);
    const code = /^(\d+)/.exec(r.exit)?.[1];
    expect(code, `exit of "${r.what}"`).toBeDefined();
    expect(source, `${r.file} asserts exit ${code}`).toMatch(new RegExp(`toBe\\(${code}\\)`));
    for (const q of quotes(r.sees)) {
      // A quote with N, P or … stands for run-specific numbers; its fixed parts must be in the test.
      for (const part of q
        .split(/\bN\b|\bP\b|…/)
        .map((p) => p.trim())
        .filter((p) => p.length > 3)) {
        expect(source.replaceAll('\\"', '"'), `"${part}" (from "${r.what}") is asserted in ${r.file}`).toContain(part);
      }
    }
  });
});
