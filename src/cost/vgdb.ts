// Side effects: talks to the processes running under valgrind (vgdb) and reads callgrind's dumps.

import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { baseEnvOf } from "../child-env.js";
import { StackError } from "../errors.js";
import { dumpTotal, parseDumpName, parseVgdbList } from "./callgrind.js";

const VGDB_TIMEOUT_MS = 30_000;

function run(vgdb: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      vgdb,
      args,
      { timeout: VGDB_TIMEOUT_MS, encoding: "utf8", env: baseEnvOf(process.env) },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : null) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** The counted processes of one run: what `vgdb -l` lists under the run's prefix. */
export async function listCounted(vgdb: string, outDir: string): Promise<{ pid: number; command: string }[]> {
  // vgdb -l exits 1 even when it lists processes; its stdout is the answer.
  const r = await run(vgdb, [`--vgdb-prefix=${join(outDir, "vgdb")}`, "-l"]);
  return parseVgdbList(r.stdout);
}

/** Dumps of one process so far, by dump number. */
function dumpsOf(outDir: string, pid: number): number[] {
  const ns: number[] = [];
  for (const f of readdirSync(outDir)) {
    const d = parseDumpName(f);
    if (d && d.pid === pid) ns.push(d.n);
  }
  return ns.sort((a, b) => a - b);
}

/**
 * Asks one process to dump (callgrind writes its counts since the last dump and zeroes them) and
 * returns the instructions in that dump. vgdb wakes a process blocked in a system call with ptrace;
 * where ptrace is refused (Ubuntu's kernel.yama.ptrace_scope=1 for a non-root user) it cannot.
 */
export async function dumpOne(vgdb: string, outDir: string, pid: number): Promise<number> {
  const before = new Set(dumpsOf(outDir, pid));
  const r = await run(vgdb, [`--vgdb-prefix=${join(outDir, "vgdb")}`, `--pid=${pid}`, "dump"]);
  const deadline = Date.now() + 5000;
  for (;;) {
    const fresh = dumpsOf(outDir, pid).filter((n) => !before.has(n));
    if (fresh.length > 0) {
      const file = join(outDir, `callgrind.out.${pid}.${fresh[fresh.length - 1]}`);
      const total = dumpTotal(readFileSync(file, "utf8"));
      if (total !== undefined) return total;
    }
    if (Date.now() > deadline) break;
    await new Promise((res) => setTimeout(res, 50));
  }
  const said = `${r.stdout}\n${r.stderr}`.trim().split("\n").slice(-3).join(" | ");
  const ptrace = /ptrace/i.test(said)
    ? " vgdb could not attach with ptrace: run loadgate as root, or allow it with `sudo sysctl kernel.yama.ptrace_scope=0`."
    : "";
  throw new StackError(
    `cost run: process ${pid} under valgrind did not dump its counts (vgdb exit ${r.code ?? "timeout"}: ${said || "no output"}).${ptrace}`,
  );
}

/**
 * Turns callgrind's instrumentation on in each process (they start with it off, --instr-atstart=no).
 * Idempotent; a process forked from an instrumented one is instrumented already.
 */
export async function instrumentAll(vgdb: string, outDir: string, pids: readonly number[]): Promise<void> {
  for (const pid of pids) {
    const r = await run(vgdb, [`--vgdb-prefix=${join(outDir, "vgdb")}`, `--pid=${pid}`, "instrumentation", "on"]);
    if (r.code !== 0 && !/instrumentation/i.test(`${r.stdout}${r.stderr}`)) {
      const said = `${r.stdout}\n${r.stderr}`.trim().split("\n").slice(-3).join(" | ");
      throw new StackError(
        `cost run: could not switch counting on in process ${pid} under valgrind (vgdb exit ${r.code ?? "timeout"}: ${said || "no output"}).`,
      );
    }
  }
}

/** Dumps every counted process; instructions per pid since its previous dump. */
export async function dumpAll(vgdb: string, outDir: string, pids: readonly number[]): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  for (const pid of pids) out.set(pid, await dumpOne(vgdb, outDir, pid));
  return out;
}
