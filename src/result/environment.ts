import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { cpus, arch as osArch, release, totalmem } from "node:os";
import type { Environment } from "./types.js";

export interface EnvironmentFacts {
  cpuModel: string;
  logicalCores: number;
  memoryBytes: number;
  kernel: string;
  os: string;
  arch: string;
  versions: Record<string, string>;
  stackFileHash: string;
  /** A name the user gives a class of runners (input baseline-key): it stands for the machine and its software. */
  baselineKey?: string;
}

/**
 * Pure: the id of an environment is a hash of what decides whether two Results are comparable:
 * hardware, OS, the versions of every component, and the stack file. Memory is rounded to GiB so
 * that a few MiB reserved by firmware does not split two identical machines.
 */
export function environmentId(f: EnvironmentFacts): string {
  if (f.baselineKey !== undefined) {
    // The user vouches that runners under this name are comparable (as Bencher's testbeds): the key
    // replaces the machine and the versions; the stack file still decides. Differences are shown.
    const keyed = { baselineKey: f.baselineKey, stackFileHash: f.stackFileHash };
    return createHash("sha256").update(JSON.stringify(keyed)).digest("hex").slice(0, 12);
  }
  const comparable = {
    cpuModel: f.cpuModel,
    logicalCores: f.logicalCores,
    memoryGiB: Math.round(f.memoryBytes / 2 ** 30),
    os: f.os,
    arch: f.arch,
    versions: Object.fromEntries(Object.entries(f.versions).sort(([a], [b]) => a.localeCompare(b))),
    stackFileHash: f.stackFileHash,
  };
  return createHash("sha256").update(JSON.stringify(comparable)).digest("hex").slice(0, 12);
}

export function buildEnvironment(f: EnvironmentFacts): Environment {
  return { id: environmentId(f), ...f };
}

/** The same environment under a baseline key (input baseline-key, --baseline-key): a new id, the facts kept. */
export function withBaselineKey<T extends { environment: Environment }>(r: T, key: string | null): T {
  if (key === null) return r;
  const { id: _id, ...facts } = r.environment;
  return { ...r, environment: buildEnvironment({ ...facts, baselineKey: key }) };
}

/** A baseline key: a short name for a class of runners, e.g. "ubuntu-24.04-4cpu"; null when malformed. */
export function parseBaselineKey(raw: string): string | null {
  const v = raw.trim();
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(v) ? v : null;
}

/** Reads the machine's facts (side effects: /proc, /etc/os-release). */
export function machineFacts(): Pick<
  EnvironmentFacts,
  "cpuModel" | "logicalCores" | "memoryBytes" | "kernel" | "os" | "arch"
> {
  let os = "unknown";
  try {
    const rel = readFileSync("/etc/os-release", "utf8");
    os = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(rel)?.[1] ?? os;
  } catch {
    // not Linux, or a minimal container
  }
  const list = cpus();
  return {
    cpuModel: list[0]?.model?.trim() ?? "unknown",
    logicalCores: list.length,
    memoryBytes: totalmem(),
    kernel: release(),
    os,
    arch: osArch(),
  };
}
