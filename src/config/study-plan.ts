// `loadgate study ...` argv → the rows to run, each a stack plan with the study's short defaults, or
// with the load of the study's own rig (--as-published).

import { availableParallelism } from "node:os";
import { join, resolve } from "node:path";
import { UserError } from "../errors.js";
import { STUDY_ROWS, type StudyRow, selectRows } from "../study/rows.js";
import { applyOverrides } from "./apply.js";
import { parseFlags } from "./args.js";
import { checkRunFolder, type Io, runtimeOf } from "./cli-plan.js";
import { type Overrides, parseOverrides } from "./overrides.js";
import type { RunPlan, StackPlan } from "./plan.js";
import { loadStackFile } from "./stack-file.js";
import type { StackSpec } from "./stack-spec.js";

/**
 * Short defaults: 13 rows of (bring up, 2 s warmup, 3 × 3 s, bring down) finish within 8 minutes
 * on 2 CPUs once installed. The stack files' own load (5 s + 5 × 10 s) is the full-length run:
 * `--warmup 5 --duration 10 --trials 5`.
 */
export const STUDY_DEFAULTS = { warmupSeconds: 2, durationSeconds: 3, trials: 3 };

/**
 * --as-published: the load of the study's rig (ApacheBench: 100 concurrent connections, a new
 * connection per request, 100,000 requests in one run; each row's workers raised until performance
 * got worse), the warmup kept short, and the load generator on a CPU of its own where there are at
 * least `pinFromCores` (the rig ran it on a separate machine). The rig's nginx.conf had a bare
 * proxy_pass, with no upstream keepalive: nginx opened a new connection to the app for every request
 * too (`proxy.nginx.keepalive: 0`), where the built-in stacks keep 64 open.
 */
export const AS_PUBLISHED = Object.freeze({
  connections: 100,
  keepalive: false,
  totalRequests: 100_000,
  trials: 1,
  workers: "auto" as const,
  pinFromCores: 4,
  nginxKeepalive: 0,
});

export const STUDY_OPTIONS = {
  install: { type: "boolean" },
  "as-published": { type: "boolean" },
  duration: { type: "string" },
  warmup: { type: "string" },
  trials: { type: "string" },
  connections: { type: "string" },
  workers: { type: "string" },
  "sweep-time": { type: "string" },
  "no-keepalive": { type: "boolean" },
  "total-requests": { type: "string" },
  pin: { type: "boolean" },
  json: { type: "string" },
  markdown: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

export interface StudyPlan {
  run: RunPlan;
  rows: { row: StudyRow; stack: StackPlan }[];
  asPublished: boolean;
  jsonOut: string | null;
  markdownOut: string | null;
}

/** A row's stack file as the rig ran it: nginx without upstream keepalive (a new connection to the app per request). */
function asTheRigRanIt(spec: StackSpec): StackSpec {
  return spec.proxy ? { ...spec, proxy: { ...spec.proxy, keepalive: AS_PUBLISHED.nginxKeepalive } } : spec;
}

/** The overrides every row gets: the flags over the short defaults, or over the rig's load. */
function studyOverrides(o: Overrides, asPublished: boolean): Overrides {
  if (!asPublished) {
    return {
      ...o,
      warmupSeconds: o.warmupSeconds ?? STUDY_DEFAULTS.warmupSeconds,
      durationSeconds: o.durationSeconds ?? STUDY_DEFAULTS.durationSeconds,
      trials: o.trials ?? STUDY_DEFAULTS.trials,
    };
  }
  if (o.durationSeconds !== undefined) {
    throw new UserError(
      "loadgate study --as-published: --duration is refused: the rig's trials are a total of requests, not timed; give --total-requests N (e.g. 10000 for a quick run).",
    );
  }
  return {
    ...o,
    warmupSeconds: o.warmupSeconds ?? STUDY_DEFAULTS.warmupSeconds,
    connections: o.connections ?? AS_PUBLISHED.connections,
    keepalive: AS_PUBLISHED.keepalive,
    totalRequests: o.totalRequests ?? AS_PUBLISHED.totalRequests,
    trials: o.trials ?? AS_PUBLISHED.trials,
    workers: o.workers ?? AS_PUBLISHED.workers,
  };
}

export function planStudy(
  argv: string[],
  io: Io,
  toolVersion: string,
  stacksDir: string,
  cores = availableParallelism(),
): StudyPlan {
  const { values, positionals } = parseFlags(argv, STUDY_OPTIONS, "study");
  const { rows, unknown } = selectRows(positionals);
  if (unknown.length > 0) {
    throw new UserError(
      `loadgate study: no row named ${unknown.map((u) => JSON.stringify(u)).join(", ")}. Rows: ${STUDY_ROWS.map((r) => r.stack).join(", ")}.`,
    );
  }
  const asPublished = values["as-published"] ?? false;
  const overrides = studyOverrides(parseOverrides(values), asPublished);
  checkRunFolder(io);
  return {
    run: {
      ...runtimeOf(io, toolVersion),
      install: values.install ?? false,
      pin: (values.pin ?? false) || (asPublished && cores >= AS_PUBLISHED.pinFromCores),
    },
    rows: rows.map((row) => ({
      row,
      stack: applyOverrides(
        (asPublished ? asTheRigRanIt : (s: StackSpec) => s)(loadStackFile(join(stacksDir, row.stack, "stack.yml"))),
        overrides,
      ),
    })),
    asPublished,
    jsonOut: values.json ? resolve(io.cwd, values.json) : null,
    markdownOut: values.markdown ? resolve(io.cwd, values.markdown) : null,
  };
}
