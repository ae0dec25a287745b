// `--target` (input target): a service that is already running is measured; no stack is started or stopped.

import type { RunPlan, TargetPlan } from "../config/plan.js";
import { UserError } from "../errors.js";
import { checkSocketRoom } from "../load/fd-limit.js";
import { applyPlacement } from "../load/placement.js";
import { buildEnvironment, machineFacts } from "../result/environment.js";
import type { StackResult } from "../result/types.js";
import { tcpOpen } from "../stack/probes.js";
import type { EngineHooks } from "./hooks.js";
import { measure, warningsFor } from "./measure.js";
import { stackResult } from "./prepare.js";

export async function runTarget(plan: RunPlan, target: TargetPlan, hooks: EngineHooks): Promise<StackResult> {
  const url = new URL(target.url);
  const port = Number(url.port || 80);
  if (!(await tcpOpen(port, 2000, url.hostname.replace(/^\[|\]$/g, "")))) {
    throw new UserError(`--target ${target.url}: nothing accepts connections on ${url.host}. Start the service first.`);
  }
  checkSocketRoom(target.load.connections);
  const placement = applyPlacement(plan.pin);
  const facts = machineFacts();
  const name = `${url.host}${url.pathname}`;
  const measured = await measure(
    `${url.protocol}//${url.host}`,
    target.load,
    () => [],
    { onProgress: (p) => hooks.onProgress?.(name, p), signal: hooks.signal },
    facts.logicalCores,
  );
  const { trials } = measured.outcome;
  return stackResult({
    stack: { name, file: target.url, webserver: "external", framework: "" },
    workers: null,
    environment: buildEnvironment({
      ...facts,
      versions: { node: process.version, loadgate: plan.toolVersion },
      stackFileHash: "",
    }),
    target: target.url,
    load: { ...target.load, threads: measured.outcome.threads },
    trials,
    histograms: measured.outcome.histograms,
    cpu: measured.cpu,
    placement,
    warnings: warningsFor(measured.cpu, trials, measured.outcome.threads),
  });
}
