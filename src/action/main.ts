// The Action's main step: inputs → plan → mode → publish. Never throws: every failure becomes
// setFailed with a plain message.

import { mkdirSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import * as core from "@actions/core";
import type { BaselineStore } from "../baseline/store.js";
import { type ActionPlan, planAction } from "../config/action-plan.js";
import { messageOf } from "../errors.js";
import type { RunHeadline } from "../report/markdown.js";
import { VERSION } from "../version.js";
import { decide, refuseUntrustedFork } from "./decide.js";
import { reportDrift } from "./drift.js";
import { actionIo } from "./io.js";
import { decideFailure, publish, setResultOutputs } from "./publish.js";
import { reportFromFiles } from "./report.js";
import { STATE_FILE } from "./state.js";
import { storeFor } from "./store.js";

export { STATE_FILE };

export interface ActionDeps {
  store?: (plan: ActionPlan) => BaselineStore;
}

/** The Action's main step. Never throws: every failure becomes setFailed with a plain message. */
export async function run(deps: ActionDeps = {}): Promise<void> {
  try {
    const plan = planAction((name) => core.getInput(name), process.env);
    core.info(`loadgate ${VERSION}: ${plan.modeReason}`);
    refuseUntrustedFork(plan);
    if (plan.mode === "report" && plan.resultFiles) return await reportFromFiles(plan, plan.resultFiles);
    const stateFile = join(plan.runnerTemp, `loadgate-state-${process.pid}.jsonl`);
    mkdirSync(plan.runnerTemp, { recursive: true });
    core.saveState(STATE_FILE, stateFile);
    const io = actionIo(stateFile);
    const decided = await decide(plan, io, deps.store?.(plan) ?? storeFor(plan));
    const resultFile = join(plan.runnerTemp, "loadgate-result.json");
    writeFileSync(resultFile, `${JSON.stringify(decided.doc, null, 2)}\n`);
    const pr = plan.mode === "gate" ? plan.event.pullRequest : null;
    await publish(
      plan,
      { title: `Commit ${plan.event.sha.slice(0, 7) || "unknown"}`, ...decided, stacks: decided.reports },
      decided.doc.results.map((r) => r.stack.name),
      pr,
      [{ source: basename(resultFile), doc: decided.doc }],
    );
    setResultOutputs(decided.headline, decided.doc.results, resultFile);
    if (decided.drift) await reportDrift(plan, decided.drift);
    if (plan.mode === "gate")
      decideFailure(plan, decided.headline as Exclude<RunHeadline, "measured" | "baseline-stored">);
    if (decided.refused.length > 0) core.setFailed(`loadgate: ${decided.refused.join("; ")}.`);
  } catch (err) {
    const message = messageOf(err);
    const m = /^(.+?):(\d+):(\d+): /.exec(message);
    if (m) core.error(message, { file: m[1], startLine: Number(m[2]), startColumn: Number(m[3]) });
    core.setFailed(message);
  }
}
