// Pure: whether two Results were measured in comparable environments, and what differs.

import type { StackResult } from "../result/types.js";

/** Differences between the environments of two Results that make them incomparable. */
export function environmentDifferences(a: StackResult, b: StackResult): string[] {
  if (a.environment.id === b.environment.id) return [];
  const diffs = factDifferences(a, b);
  return diffs.length ? diffs : ["environment id differs"];
}

/** Every difference between the two environments' facts, whether or not their ids match. */
export function factDifferences(a: StackResult, b: StackResult): string[] {
  const ea = a.environment;
  const eb = b.environment;
  const diffs: string[] = [];
  if (ea.baselineKey !== eb.baselineKey)
    diffs.push(`baseline key ${ea.baselineKey ?? "none"} → ${eb.baselineKey ?? "none"}`);
  if (ea.cpuModel !== eb.cpuModel) diffs.push(`CPU ${ea.cpuModel} → ${eb.cpuModel}`);
  if (ea.logicalCores !== eb.logicalCores) diffs.push(`cores ${ea.logicalCores} → ${eb.logicalCores}`);
  if (Math.round(ea.memoryBytes / 2 ** 30) !== Math.round(eb.memoryBytes / 2 ** 30)) diffs.push("memory size");
  if (ea.os !== eb.os) diffs.push(`OS ${ea.os} → ${eb.os}`);
  if (ea.stackFileHash !== eb.stackFileHash) diffs.push("the stack file changed");
  for (const k of new Set([...Object.keys(ea.versions), ...Object.keys(eb.versions)])) {
    if (ea.versions[k] !== eb.versions[k]) diffs.push(`${k} ${ea.versions[k] ?? "none"} → ${eb.versions[k] ?? "none"}`);
  }
  return diffs;
}

/** With a baseline key the ids match across machines: say what the key let through. */
export function keyNote(baseline: StackResult, current: StackResult): string | undefined {
  const key = current.environment.baselineKey;
  if (key === undefined || baseline.environment.id !== current.environment.id) return undefined;
  const diffs = factDifferences(baseline, current);
  if (diffs.length === 0) return undefined;
  return `Compared under baseline key ${key}, which stands for these differences from the baseline's environment: ${diffs.join("; ")}. The interval does not include what they change.`;
}
