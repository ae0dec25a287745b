import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

// The repository's own workflows: each built-in stack gated once per pull request (one comment
// each), the merge queue gated, and the hygiene the recipes ask of users.

const DIR = resolve(import.meta.dirname, "../../.github/workflows");
const FILES = readdirSync(DIR).filter((f) => f.endsWith(".yml"));

interface Step {
  uses?: string;
  with?: Record<string, unknown>;
}
interface Job {
  permissions?: Record<string, string>;
  strategy?: { matrix?: Record<string, unknown[]> };
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: unknown;
  jobs: Record<string, Job>;
}

const workflows = FILES.map((f) => ({ file: f, w: parse(readFileSync(join(DIR, f), "utf8")) as Workflow }));

/** The stacks a job gates with this repository's Action, its matrix expanded. */
function stacksOf(job: Job): string[] {
  const out: string[] = [];
  for (const step of job.steps) {
    const stack = step.uses === "./" ? (step.with?.stack as string | undefined) : undefined;
    if (!stack) continue;
    const m = /\$\{\{ matrix\.(\w+) \}\}/.exec(stack);
    const values = m ? (job.strategy?.matrix?.[m[1]] ?? []) : [""];
    for (const v of values) out.push(m ? stack.replace(m[0], String(v)) : stack);
  }
  return out;
}

describe(".github/workflows", () => {
  it("gate each stack once on a pull request, and in the merge queue", () => {
    const gated = workflows.flatMap(({ file, w }) =>
      "pull_request" in w.on ? Object.values(w.jobs).flatMap((j) => stacksOf(j).map((s) => `${s} (${file})`)) : [],
    );
    expect(gated.length).toBeGreaterThan(1);
    const names = gated.map((g) => g.split(" ")[0]);
    expect(new Set(names).size, gated.join(", ")).toBe(names.length);
    for (const { file, w } of workflows) {
      if (Object.values(w.jobs).some((j) => stacksOf(j).length > 0))
        expect(Object.keys(w.on), file).toContain("merge_group");
    }
  });

  it.each(FILES)("%s: permissions per job, actions pinned by commit, no credentials left in .git/config", (file) => {
    const w = workflows.find((x) => x.file === file)!.w;
    expect(
      w.permissions === undefined ||
        JSON.stringify(w.permissions) === "{}" ||
        JSON.stringify(w.permissions) === '{"contents":"read"}',
      file,
    ).toBe(true);
    for (const [name, job] of Object.entries(w.jobs)) {
      if (JSON.stringify(w.permissions) === "{}") expect(job.permissions, `${file} ${name}`).toBeDefined();
      for (const step of job.steps) {
        if (!step.uses || step.uses.startsWith("./")) continue;
        expect(step.uses, `${file} ${name}`).toMatch(/@[0-9a-f]{40}$/);
        if (step.uses.startsWith("actions/checkout@"))
          expect(step.with?.["persist-credentials"], `${file} ${name}`).toBe(false);
      }
    }
  });
});
