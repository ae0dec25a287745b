// Pure: how the cost run wraps the app in valgrind, and how callgrind's dumps become counts.

import { median } from "../stats/quantiles.js";

/**
 * callgrind, not cachegrind: Debian 12's valgrind (3.19) has no way to start and stop cachegrind's
 * counting, while callgrind dumps (and zeroes) its counters on request through vgdb, so one process
 * can be counted chunk by chunk. `--dump-instr=no --dump-line=no` keeps each dump to function totals;
 * `--vgdb-prefix` in the run folder keeps this run's processes apart from any other valgrind.
 * `--instr-atstart=no` (bench: a Python app's startup under callgrind 22 s → 14 s) leaves counting
 * off until the cost run turns it on; nothing before the first dump is counted anyway.
 */
export function valgrindPrefix(outDir: string, valgrind = "valgrind"): string[] {
  return [
    valgrind,
    "--tool=callgrind",
    "--trace-children=yes",
    // Start uninstrumented: the app's startup (imports) runs several times faster, and counting
    // starts when the cost run switches instrumentation on, before the warmup requests.
    "--instr-atstart=no",
    "--dump-instr=no",
    "--dump-line=no",
    `--callgrind-out-file=${outDir}/callgrind.out.%p`,
    "--vgdb=yes",
    `--vgdb-prefix=${outDir}/vgdb`,
  ];
}

/** The shell command that runs `command` (the stack's, placeholders filled) under valgrind. */
export function valgrindCommand(command: string, outDir: string, valgrind = "valgrind"): string {
  return `${valgrindPrefix(outDir, valgrind).map(shellQuote).join(" ")} ${command}`;
}

export function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The instructions (event Ir) a callgrind dump counted: its `summary:` (or `totals:`) line. */
export function dumpTotal(text: string): number | undefined {
  const m = /^summary:\s*(\d+)/m.exec(text) ?? /^totals:\s*(\d+)/m.exec(text);
  return m ? Number(m[1]) : undefined;
}

/** `callgrind.out.<pid>.<n>`: the n-th dump of a process (the final one, at exit, has no `.<n>`). */
export function parseDumpName(name: string): { pid: number; n: number } | undefined {
  const m = /^callgrind\.out\.(\d+)\.(\d+)$/.exec(name);
  return m ? { pid: Number(m[1]), n: Number(m[2]) } : undefined;
}

/** `vgdb -l`'s lines ("use --pid=N for <command>") as pid and command. */
export function parseVgdbList(text: string): { pid: number; command: string }[] {
  const out: { pid: number; command: string }[] = [];
  for (const line of text.split("\n")) {
    const m = /^use --pid=(\d+) for (.*)$/.exec(line.trim());
    if (m) out.push({ pid: Number(m[1]), command: stripValgrind(m[2]).trim() });
  }
  return out;
}

/** "/usr/bin/valgrind.bin --tool=callgrind … gunicorn …" → "gunicorn …". */
function stripValgrind(command: string): string {
  const words = command.split(" ");
  let i = 0;
  if (/valgrind(\.bin)?$/.test(words[0] ?? "")) i = 1;
  while (i < words.length && words[i].startsWith("--")) i++;
  return words.slice(i).join(" ");
}

export { chunkSize, requestAt } from "../load/one-request.js";

/** 1.4826 × MAD / median: the chunks' spread as a fraction, robust to one odd chunk (a full GC). */
export function robustSpread(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const m = median(values);
  const mad = median(values.map((v) => Math.abs(v - m)));
  return m > 0 ? (1.4826 * mad) / m : 0;
}

/**
 * Runtimes that compile at run time: what they compile, and when, depends on timing, so their
 * counts wander more than an interpreter's. Matched on the first word of a counted process's command.
 */
const JIT_RUNTIMES = /(^|\/)(node|nodejs|deno|bun|java|pypy\d*(\.\d+)?|dotnet|ruby --(yjit|jit)|php.*jit)$/;

export function jitRuntime(commands: readonly string[]): string | undefined {
  for (const c of commands) {
    const first = c.trim().split(/\s+/)[0] ?? "";
    if (JIT_RUNTIMES.test(first)) return first.split("/").pop();
  }
  return undefined;
}

/**
 * The CPU the app sees under valgrind. Valgrind does not pass the host's CPUID through: on amd64 it
 * presents one of a few canned CPUs, chosen by what the host can do (measured on this project's AMD
 * EPYC with AVX-512, SHA and FSRM: under valgrind 3.19 a program sees a "GenuineIntel" Core
 * i7-4910MQ with AVX2, BMI2 and ERMS and without AVX-512, SHA or FSRM). glibc, OpenSSL and the
 * interpreters pick their code paths from that canned CPU, so two hosts in the same class count the
 * same code. The classes approximate valgrind's own choice (coregrind/m_machine.c and
 * VEX's amd64g_dirtyhelper_CPUID_*).
 */
export function valgrindGuestCpu(arch: string, flags: string): string {
  if (arch !== "x64") return arch;
  const have = new Set(flags.trim().split(/\s+/));
  const all = (...f: string[]) => f.every((x) => have.has(x));
  // The AVX classes pass the host's F16C and RDRAND bits through.
  const extra = ["f16c", "rdrand"]
    .filter((f) => have.has(f))
    .map((f) => `+${f}`)
    .join("");
  if (all("avx", "avx2", "bmi1", "bmi2", "cx16")) return `amd64-avx2${extra}`;
  if (all("avx", "cx16")) return `amd64-avx${extra}`;
  if (all("sse4_2", "cx16")) return "amd64-sse4.2";
  if (all("pni", "cx16")) return "amd64-sse3";
  return "amd64-baseline";
}
