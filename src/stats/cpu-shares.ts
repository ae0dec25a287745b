import type { CpuAccount } from "../result/types.js";

export interface CpuCounters {
  atMs: number;
  components: Record<string, number>;
  loadGenerator: number;
  machine: number;
}

/**
 * Pure: where the CPU went between two snapshots. Shares are of the whole machine
 * (seconds / (wall seconds × cores)); `other` is machine busy time no component accounts for.
 */
export function cpuAccount(start: CpuCounters, end: CpuCounters, cores: number): CpuAccount {
  const wall = (end.atMs - start.atMs) / 1000;
  const seconds: Record<string, number> = {};
  for (const [name, s] of Object.entries(end.components)) {
    seconds[name] = Math.max(0, s - (start.components[name] ?? 0));
  }
  seconds.loadgen = Math.max(0, end.loadGenerator - start.loadGenerator);
  const accounted = Object.values(seconds).reduce((a, b) => a + b, 0);
  const machine = Math.max(0, end.machine - start.machine);
  seconds.other = Math.max(0, machine - accounted);
  return accountOf(seconds, wall, cores);
}

/** An account from its seconds per part over `wall` seconds: each part's share of the machine, the load generator's cores. */
function accountOf(seconds: Record<string, number>, wall: number, cores: number): CpuAccount {
  const share: Record<string, number> = {};
  for (const [k, v] of Object.entries(seconds)) share[k] = wall > 0 ? v / (wall * cores) : 0;
  return { wallSeconds: wall, cores, seconds, share, loadGeneratorCores: wall > 0 ? seconds.loadgen / wall : 0 };
}

/**
 * Pure: two accounts of the same components over separate windows as one (an A/B side's windows): the
 * seconds and the wall time add, the shares and the load generator's cores are of the sum.
 */
export function addCpuAccounts(a: CpuAccount | undefined, b: CpuAccount): CpuAccount {
  if (!a) return b;
  const seconds: Record<string, number> = { ...a.seconds };
  for (const [k, v] of Object.entries(b.seconds)) seconds[k] = (seconds[k] ?? 0) + v;
  return accountOf(seconds, a.wallSeconds + b.wallSeconds, b.cores);
}

/** Each load generator thread runs on one core: near a full core per thread, it, not the stack, sets the pace. */
export const LOADGEN_SATURATION_CORES = 0.9;

export function loadGeneratorWarning(account: CpuAccount, threads = 1): string | undefined {
  if (account.loadGeneratorCores < LOADGEN_SATURATION_CORES * threads) return undefined;
  const used = `${(account.loadGeneratorCores * 100).toFixed(0)}% of ${threads === 1 ? "one core" : `${threads} cores (its ${threads} threads)`}`;
  return `The load generator used ${used}: it may be the bottleneck, so the results understate the stack. On a machine with spare cores give it more threads (--load-threads N or auto; the stack file's load.threads), or its own core with --pin; use fewer connections; or measure with a load generator on another machine via --target.`;
}
