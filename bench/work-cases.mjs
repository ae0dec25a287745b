// The apps and injected changes of bench/work-power and bench/work-ab (not part of the product).
import { join } from "node:path";
import { ROOT } from "./lib.mjs";

/**
 * Each app: its stack file (relative to the repository), a label, and the folders the stack file
 * reads (what bench/work-ab copies into a temporary repository to measure two commits of it).
 */
export const STACKS = {
  study: {
    stack: "bench/stacks/work-study/stack.yml",
    label: "study app (gunicorn-flask, psycopg2)",
    folders: ["bench/stacks/work-study", "stacks/gunicorn-flask", "stacks/common"],
  },
  orm: {
    stack: "bench/stacks/work-orm/stack.yml",
    label: "Flask + SQLAlchemy 2.1 shop",
    folders: ["bench/stacks/work-orm"],
  },
};
for (const s of Object.values(STACKS)) s.file = join(ROOT, s.stack);

// Each change: its label, WORK_INJECT, and for index-schema (the study app only) another stack file.
export const CASES = {
  "n+1": { label: "N+1: 10 more statements", inject: "n+1" },
  index: { label: "index of the looked-up column dropped (migration)", inject: "index" },
  row: { label: "one more row", inject: "row" },
  connection: { label: "a connection per request", inject: "connection" },
  "index-schema": {
    label: "index dropped by editing the schema file",
    inject: "",
    file: join(ROOT, "bench/stacks/work-study/index-in-schema.yml"),
    only: "study",
  },
};

/** The list of a comma-separated option, each checked against `known`. */
export function listOption(name, text, known) {
  const list = text.split(",");
  for (const x of list) if (!known[x]) throw new Error(`--${name}: unknown ${x}; known: ${Object.keys(known)}`);
  return list;
}
