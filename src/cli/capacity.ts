// `loadgate capacity <stack>... --slo-p99 50ms`: per stack the highest open-loop rate at which P99
// stays within the SLO with no errors, with its probes.

import { measureCapacity } from "../capacity/run.js";
import { CAPACITY_DEFAULTS } from "../capacity/search.js";
import { planRun } from "../config/cli-plan.js";
import { parseDuration } from "../config/duration.js";
import { needsOf, prepareStack, untimedResult } from "../engine/prepare.js";
import { ExitCode, UserError } from "../errors.js";
import { resultDocument } from "../modes/document.js";
import { capacityTable } from "../report/terminal.js";
import type { StackResult } from "../result/types.js";
import { requireBinaries } from "../stack/binaries.js";
import { VERSION } from "../version.js";
import { takeFlag } from "./flags.js";
import { CAPACITY_REFUSED } from "./help/measure.js";
import { refusedFlag } from "./help.js";
import type { CliIo } from "./io.js";
import { writeOutput } from "./output.js";

/** --slo-p99 and --max-probes, the flags only this command has; the rest is `run`'s. */
function capacityFlags(argv: string[]): { sloMs?: number; maxProbes?: number; rest: string[] } {
  const slo = takeFlag(argv, "--slo-p99");
  const probes = takeFlag(slo.rest, "--max-probes");
  const sloMs = slo.value === undefined ? undefined : parseDuration(slo.value) * 1000;
  if (sloMs !== undefined && !(sloMs > 0)) {
    throw new UserError(
      `--slo-p99: expected a duration above zero, the P99 the service must keep (e.g. 50ms), got ${JSON.stringify(slo.value)}.`,
    );
  }
  const maxProbes = probes.value === undefined ? undefined : Number(probes.value);
  if (maxProbes !== undefined && (!Number.isInteger(maxProbes) || maxProbes < 1 || maxProbes > 50)) {
    throw new UserError(`--max-probes: expected a whole number from 1 to 50, got ${JSON.stringify(probes.value)}.`);
  }
  const timing = CAPACITY_REFUSED.map((f) => `--${f}`);
  const given = probes.rest.find((a) => timing.includes(a.split("=")[0]));
  if (given) {
    throw new UserError(
      `loadgate capacity: ${given.split("=")[0]} does not apply; each probe is a warmup and an open-loop window at the rate the search picks (capacity.probe-warmup and capacity.probe-duration in the stack file).`,
    );
  }
  const refused = refusedFlag("capacity", probes.rest);
  if (refused) throw refused;
  return { sloMs, maxProbes, rest: probes.rest };
}

export async function capacityCommand(argv: string[], io: CliIo): Promise<number> {
  const { sloMs, maxProbes, rest } = capacityFlags(argv);
  const plan = planRun(rest, { cwd: io.cwd, env: io.env, isTTY: io.isTTY }, VERSION, "capacity");
  const log = (l: string) => io.stderr(`${l}\n`);
  requireBinaries(needsOf(plan.stacks), plan.binarySearch, plan.install, log);
  const missing = plan.stacks.filter((s) => sloMs === undefined && s.spec.capacity.sloP99Ms === null);
  if (missing.length > 0) {
    throw new UserError(
      `loadgate capacity needs --slo-p99, the P99 the service must keep, e.g. --slo-p99 50ms (or capacity.slo-p99 in the stack file: ${missing.map((s) => s.spec.file).join(", ")}).`,
    );
  }
  const results: StackResult[] = [];
  for (const s of plan.stacks) {
    const prepared = await prepareStack(plan, s, log, { signal: io.signal });
    const capacity = await measureCapacity(
      plan,
      prepared,
      { log, signal: io.signal },
      {
        sloP99Ms: sloMs ?? (s.spec.capacity.sloP99Ms as number),
        ceilingFactor: CAPACITY_DEFAULTS.ceilingFactor,
        resolution: CAPACITY_DEFAULTS.resolution,
        maxProbes: maxProbes ?? s.spec.capacity.maxProbes,
      },
    );
    results.push({ ...untimedResult(prepared, { pinned: false, loadGenerator: "all", stack: "all" }), capacity });
  }
  io.stdout(`\n${capacityTable(results)}\n`);
  if (plan.jsonOut) {
    writeOutput(plan.jsonOut, JSON.stringify(resultDocument(results), null, 2));
    io.stdout(`Result written to ${plan.jsonOut}\n`);
  }
  return ExitCode.ok;
}
