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
}

/**
 * Pure: the id of an environment is a hash of what decides whether two Results are comparable:
 * hardware, OS, the versions of every component, and the stack file. Memory is rounded to GiB so
 * that a few MiB reserved by firmware does not split two identical machines.
 */
export function environmentId(f: EnvironmentFacts): string {
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
