// A data-branch history (baselines/<stack>.json) whose P99 steps up at a known point: for the drift tests.

import { appendEntry, type BranchHistory } from "../../src/baseline/branch-data.js";
import { around, result } from "./results.js";

/** A 40-hex commit id for point i (readable in messages: its first 7 are "aaaa0" + i). */
export const shaOf = (i: number) => `aaaa${String(i).padStart(3, "0")}${"b".repeat(33)}`;

/** n baselines of `stack`; from point `stepAt` on, P99 is `factor` times higher (each point wiggles by up to ±1.5%). */
export function steppedHistory(
  stack: string,
  n: number,
  stepAt: number,
  factor: number,
  cpuModel = "Test CPU",
): BranchHistory {
  let h: BranchHistory | undefined;
  const wiggle = [0, 0.012, -0.009, 0.004, -0.015, 0.007, -0.003, 0.01, -0.006, 0.002, 0.014];
  for (let i = 0; i < n; i++) {
    const w = 1 + wiggle[i % wiggle.length];
    const r = result(around(1000 * w, 40 * w * (i >= stepAt ? factor : 1)), { cpuModel });
    r.stack.name = stack;
    h = appendEntry(h, stack, {
      sha: shaOf(i),
      ref: "refs/heads/main",
      createdAt: new Date(Date.UTC(2025, 0, 1 + i)).toISOString(),
      toolVersion: "test",
      result: r,
    });
  }
  return h as BranchHistory;
}
