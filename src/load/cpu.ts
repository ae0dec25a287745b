import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { baseEnvOf } from "../child-env.js";
import { treeMembers } from "../stack/process-group.js";

let clockTicks: number | undefined;
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    const r = spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8", env: baseEnvOf(process.env) });
    clockTicks = Number(r.stdout?.trim()) || 100;
  }
  return clockTicks;
}

/** CPU seconds used by one process and its reaped children (utime + stime + cutime + cstime). */
export function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // fields after comm: state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14)
    return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / ticksPerSecond();
  } catch {
    return 0;
  }
}

/** CPU seconds of every live process in a component's tree (group and descendants). */
export function groupCpuSeconds(pgid: number): number {
  return treeMembers(pgid).reduce((a, pid) => a + processCpuSeconds(pid), 0);
}

/** Busy CPU seconds of the whole machine since boot, from /proc/stat. */
export function machineBusySeconds(): number {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n")[0];
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal: busy = all but idle and iowait
    const busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
    return busy / ticksPerSecond();
  } catch {
    return 0;
  }
}

export interface CpuSnapshot {
  atMs: number;
  components: Record<string, number>;
  loadGenerator: number;
  machine: number;
}

/** Reads the CPU counters of each component's group and of this process (the load generator). */
export function cpuSnapshot(components: readonly { name: string; pid: number }[]): CpuSnapshot {
  const usage = process.cpuUsage();
  return {
    atMs: performance.now(),
    components: Object.fromEntries(components.map((c) => [c.name, groupCpuSeconds(c.pid)])),
    loadGenerator: (usage.user + usage.system) / 1e6,
    machine: machineBusySeconds(),
  };
}
