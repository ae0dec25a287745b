// The shape of src/: no import cycle between files or between folders, and the modes (shared by
// the CLI and the Action) reach no @actions/* package, however indirectly.

import { relative } from "node:path";
import { describe, expect, it } from "vitest";
import { cycles, folderOf, localImports, SRC, sourceFiles, specifiers } from "../support/imports.js";

const files = sourceFiles();

describe("the import graph of src/", () => {
  it("has no cycle between files (type-only imports included)", () => {
    const graph = new Map(files.map((f) => [relative(SRC, f), new Set(localImports(f).map((t) => relative(SRC, t)))]));
    expect(cycles(graph)).toEqual([]);
  });

  it("has no two folders that import each other, directly or around a loop", () => {
    const graph = new Map<string, Set<string>>();
    for (const f of files) {
      const from = folderOf(f);
      if (!graph.has(from)) graph.set(from, new Set());
      for (const t of localImports(f)) if (folderOf(t) !== from) graph.get(from)!.add(folderOf(t));
    }
    expect(cycles(graph)).toEqual([]);
  });

  it("finds a cycle when there is one (the check can fail)", () => {
    const graph = new Map([
      ["a", new Set(["b"])],
      ["b", new Set(["c"])],
      ["c", new Set(["a"])],
      ["d", new Set(["a"])],
    ]);
    expect(cycles(graph)).toEqual([["a", "b", "c"]]);
  });
});

describe("the modes", () => {
  /** Every package a file reaches through its src/ imports. */
  function packagesReached(start: string): Map<string, string> {
    const seen = new Set<string>();
    const found = new Map<string, string>();
    const walk = (f: string) => {
      if (seen.has(f)) return;
      seen.add(f);
      for (const s of specifiers(f)) if (!s.startsWith(".") && !found.has(s)) found.set(s, relative(SRC, f));
      for (const t of localImports(f)) walk(t);
    };
    walk(start);
    return found;
  }

  const modes = files.filter((f) => folderOf(f) === "modes");

  it("exist: measure, judge, A/B, baseline, report", () => {
    const names = modes.map((f) => relative(SRC, f));
    for (const m of ["measure", "judge", "ab", "baseline", "report"]) expect(names).toContain(`modes/${m}.ts`);
  });

  it.each(modes.map((f) => [relative(SRC, f), f]))("%s pulls in no @actions/* package", async (_name, file) => {
    const actions = [...packagesReached(file)].filter(([p]) => p.startsWith("@actions/"));
    expect(actions.map(([p, via]) => `${p} (imported by ${via})`)).toEqual([]);
    // It loads without the toolkit too: importing it runs no Action code.
    await expect(import(file)).resolves.toBeTruthy();
  });

  it("the Action's entry is found to reach @actions/* (the check can fail)", () => {
    const action = files.find((f) => relative(SRC, f) === "action/main.ts")!;
    expect([...packagesReached(action).keys()].some((p) => p.startsWith("@actions/"))).toBe(true);
  });
});
