// `loadgate compare <baseline.json> <result.json>`: the verdict per stack and metric of two Result
// files; exit 1 on a regression. The gate is each stack file's (--stack) under the threshold flags,
// else the default gate; the cost gate applies when both sides have a cost run.

import { resolve } from "node:path";
import { DEFAULT_GATE, finalGate, type Gate } from "../compare/gate.js";
import type { Comparison } from "../compare/metrics.js";
import { DEFAULT_RISK } from "../compare/risk.js";
import { parseFlags } from "../config/args.js";
import { type Overrides, parseOverrides } from "../config/overrides.js";
import { loadStackFile, resolveStackPath } from "../config/stack-file.js";
import { ExitCode, UserError } from "../errors.js";
import { latencyChart, verdictReport } from "../report/terminal.js";
import { timingWorkText } from "../report/timing-work.js";
import { readResultFile } from "../result/read.js";
import type { StackResult } from "../result/types.js";
import { compareWithBaseline } from "../verdict/stored.js";
import type { CliIo } from "./io.js";

export const COMPARE_OPTIONS = {
  stack: { type: "string", multiple: true },
  "p99-threshold": { type: "string" },
  "throughput-threshold": { type: "string" },
  "statements-threshold": { type: "string" },
  "rows-threshold": { type: "string" },
  "pages-threshold": { type: "string" },
  "connections-threshold": { type: "string" },
  "max-error-rate": { type: "string" },
  "cost-limit": { type: "string" },
  "no-cost": { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

/** Each stack file's gate by its stack's name. */
function stackGates(files: readonly string[], cwd: string): Map<string, Gate> {
  const gates = new Map<string, Gate>();
  for (const f of files) {
    const spec = loadStackFile(resolveStackPath(f, cwd));
    if (gates.has(spec.name)) throw new UserError(`${spec.file}: two --stack files name the stack "${spec.name}".`);
    gates.set(spec.name, spec.gate);
  }
  return gates;
}

/** The gate of one stack: its stack file's or the default, under the flags; cost only when both sides have a cost run. */
function gateOf(base: Gate, o: Overrides, bothCost: boolean): Gate {
  const gate = finalGate(base, { ...o, cost: o.cost !== false && bothCost ? true : undefined });
  return bothCost ? gate : { ...gate, cost: null };
}

export function compareCommand(argv: string[], io: CliIo): number {
  const { values, positionals } = parseFlags(argv, COMPARE_OPTIONS, "compare");
  if (positionals.length !== 2) {
    throw new UserError(
      'Usage: loadgate compare <baseline.json> <result.json> [flags]. See "loadgate compare --help".',
    );
  }
  const overrides = parseOverrides({ ...values, stack: undefined });
  const gates = stackGates(values.stack ?? [], io.cwd);
  const [baselineFile, resultFile] = positionals.map((a) => resolve(io.cwd, a));
  const baseline = readResultFile(baselineFile);
  const current = readResultFile(resultFile);
  const unused = [...gates.keys()].filter((name) => !current.results.some((r) => r.stack.name === name));
  if (unused.length > 0) {
    throw new UserError(
      `--stack: ${positionals[1]} has no stack named ${unused.map((n) => JSON.stringify(n)).join(", ")}; its stacks: ${current.results.map((r) => r.stack.name).join(", ")}.`,
    );
  }
  let code: number = ExitCode.ok;
  const out: string[] = [];
  for (const r of current.results) {
    const b = baseline.results.find((x) => x.stack.name === r.stack.name);
    const gate = gateOf(gates.get(r.stack.name) ?? DEFAULT_GATE, overrides, Boolean(b?.cost && r.cost));
    const c = verdictOf(b, r, gate, positionals[0], current.results.length);
    if (c.headline === "regression") code = ExitCode.regression;
    const explained = timingWorkText(c, b ?? null, r);
    out.push(`${verdictReport(r.stack.name, c, latencyChart(r, b ?? null))}${explained ? `\n\n${explained}` : ""}`);
  }
  io.stdout(`${out.join("\n\n")}\n`);
  return code;
}

function verdictOf(
  b: StackResult | undefined,
  r: StackResult,
  gate: Gate,
  baselineName: string,
  stacks: number,
): Comparison {
  if (b) return compareWithBaseline(b, r, gate, b.history ?? [], { ...DEFAULT_RISK, stacks });
  return {
    headline: "no-baseline",
    method: "stored-baseline",
    metrics: [],
    reason: `${baselineName} has no stack named ${r.stack.name}`,
    notes: [],
  };
}
