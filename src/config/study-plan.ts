// `loadgate study ...` argv → the rows to run, each a stack plan with the study's short defaults.

import { join, resolve } from "node:path";
import { UserError } from "../errors.js";
import { STUDY_ROWS, type StudyRow, selectRows } from "../study/rows.js";
import { applyOverrides } from "./apply.js";
import { parseFlags } from "./args.js";
import { checkRunFolder, type Io, runtimeOf } from "./cli-plan.js";
import { parseOverrides } from "./overrides.js";
import type { RunPlan, StackPlan } from "./plan.js";
import { loadStackFile } from "./stack-file.js";

/**
 * Short defaults: 13 rows of (bring up, 2 s warmup, 3 × 3 s, bring down) finish within 8 minutes
 * on 2 CPUs once installed. The stack files' own load (5 s + 5 × 10 s) is the full-length run:
 * `--warmup 5 --duration 10 --trials 5`.
 */
export const STUDY_DEFAULTS = { warmupSeconds: 2, durationSeconds: 3, trials: 3 };

export const STUDY_OPTIONS = {
  install: { type: "boolean" },
  duration: { type: "string" },
  warmup: { type: "string" },
  trials: { type: "string" },
  connections: { type: "string" },
  workers: { type: "string" },
  "no-keepalive": { type: "boolean" },
  json: { type: "string" },
  markdown: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

export interface StudyPlan {
  run: RunPlan;
  rows: { row: StudyRow; stack: StackPlan }[];
  jsonOut: string | null;
  markdownOut: string | null;
}

export function planStudy(argv: string[], io: Io, toolVersion: string, stacksDir: string): StudyPlan {
  const { values, positionals } = parseFlags(argv, STUDY_OPTIONS, "study");
  const { rows, unknown } = selectRows(positionals);
  if (unknown.length > 0) {
    throw new UserError(
      `loadgate study: no row named ${unknown.map((u) => JSON.stringify(u)).join(", ")}. Rows: ${STUDY_ROWS.map((r) => r.stack).join(", ")}.`,
    );
  }
  const o = parseOverrides(values);
  const overrides = {
    ...o,
    warmupSeconds: o.warmupSeconds ?? STUDY_DEFAULTS.warmupSeconds,
    durationSeconds: o.durationSeconds ?? STUDY_DEFAULTS.durationSeconds,
    trials: o.trials ?? STUDY_DEFAULTS.trials,
  };
  checkRunFolder(io);
  return {
    run: { ...runtimeOf(io, toolVersion), install: values.install ?? false },
    rows: rows.map((row) => ({
      row,
      stack: applyOverrides(loadStackFile(join(stacksDir, row.stack, "stack.yml")), overrides),
    })),
    jsonOut: values.json ? resolve(io.cwd, values.json) : null,
    markdownOut: values.markdown ? resolve(io.cwd, values.markdown) : null,
  };
}
