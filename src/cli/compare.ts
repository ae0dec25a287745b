// `loadgate compare <baseline.json> <result.json>`: the verdict per stack and metric of two Result
// files, at the default gate (with the cost gate when both sides have a cost run); exit 1 on a regression.

import { resolve } from "node:path";
import { DEFAULT_GATE, finalGate } from "../compare/gate.js";
import type { Comparison } from "../compare/metrics.js";
import { DEFAULT_RISK } from "../compare/risk.js";
import { ExitCode, UserError } from "../errors.js";
import { latencyChart, verdictReport } from "../report/terminal.js";
import { readResultFile } from "../result/read.js";
import { compareWithBaseline } from "../verdict/stored.js";
import type { CliIo } from "./io.js";

export function compareCommand(argv: string[], io: CliIo): number {
  if (argv.length !== 2 || argv.some((a) => a.startsWith("-"))) {
    throw new UserError("Usage: loadgate compare <baseline.json> <result.json>");
  }
  const [baselineFile, resultFile] = argv.map((a) => resolve(io.cwd, a));
  const baseline = readResultFile(baselineFile);
  const current = readResultFile(resultFile);
  let code: number = ExitCode.ok;
  const out: string[] = [];
  for (const r of current.results) {
    const b = baseline.results.find((x) => x.stack.name === r.stack.name);
    // Cost runs on both sides are compared at the default cost limit.
    const gate = finalGate(DEFAULT_GATE, { cost: Boolean(b?.cost && r.cost) });
    const c: Comparison = b
      ? compareWithBaseline(b, r, gate, b.history ?? [], { ...DEFAULT_RISK, stacks: current.results.length })
      : {
          headline: "no-baseline",
          method: "stored-baseline",
          metrics: [],
          reason: `${argv[0]} has no stack named ${r.stack.name}`,
          notes: [],
        };
    if (c.headline === "regression") code = ExitCode.regression;
    out.push(verdictReport(r.stack.name, c, latencyChart(r, b ?? null)));
  }
  io.stdout(`${out.join("\n\n")}\n`);
  return code;
}
