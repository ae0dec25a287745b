// bench/soak: many short runs back to back in ONE loadgate process (the CLI's main(), as
// `loadgate run` calls it), then a few short same-runner A/B runs, and what they left behind:
// processes carrying a run marker, listening ports the runs announced, run folders and bytes in the
// temp folder, and this process's file descriptors and memory before and after. Prints the spread of
// the results too. Must print zero leftovers.
//
//   node --import tsx bench/soak.mjs [--runs 20] [--ab 5] [--stack stacks/gunicorn-flask]
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { main } from "../src/cli/main.ts";
import { listeningInodes } from "../src/stack/ports.ts";
import { ROOT } from "./lib.mjs";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "20" },
    ab: { type: "string", default: "5" },
    stack: { type: "string", default: "stacks/gunicorn-flask" },
  },
});
const RUNS = Number(values.runs);
const AB_RUNS = Number(values.ab);
const STACK = join(ROOT, values.stack);

const temp = mkdtempSync(join(tmpdir(), "loadgate-soak-"));
execFileSync("chmod", ["755", temp]);
const env = { ...process.env, RUNNER_TEMP: temp };

const fds = () => readdirSync("/proc/self/fd").length;
const mib = (b) => (b / 2 ** 20).toFixed(1);
function memory() {
  globalThis.gc?.();
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed };
}
function marked() {
  const found = [];
  for (const e of readdirSync("/proc")) {
    if (!/^\d+$/.test(e)) continue;
    try {
      if (readFileSync(`/proc/${e}/environ`, "latin1").includes("LOADGATE_RUN_ID=")) found.push(Number(e));
    } catch {
      // gone, or a zombie (its environment is unreadable)
    }
  }
  return found;
}
function du(dir) {
  let bytes = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) bytes += du(p);
    else bytes += statSync(p).size;
  }
  return bytes;
}

const announced = new Set();
async function cli(argv) {
  let out = "";
  let err = "";
  const code = await main({
    argv,
    cwd: ROOT,
    env,
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      err += t;
      for (const m of t.matchAll(/started: pid \d+, port (\d+)/g)) announced.add(Number(m[1]));
    },
    isTTY: false,
  });
  return { code, out, err };
}

const short = ["--duration", "1", "--warmup", "0.5", "--trials", "2", "--connections", "20"];
// One run first, outside the counts: installs and first imports are not leaks.
const warm = await cli(["run", STACK, ...short, "--install"]);
if (warm.code !== 0) throw new Error(`the warm-up run failed (${warm.code}):\n${warm.err.slice(-2000)}`);

const before = { fds: fds(), ...memory(), marked: marked().length };
const t0 = Date.now();
const results = [];
const failures = [];
for (let i = 0; i < RUNS; i++) {
  const json = join(temp, `r${i}.json`);
  const r = await cli(["run", STACK, ...short, "--json", json]);
  if (r.code !== 0) failures.push(`run ${i + 1}: exit ${r.code}: ${r.err.trim().split("\n").at(-1)}`);
  else results.push(JSON.parse(readFileSync(json, "utf8")).results[0]);
  rmSync(json);
  process.stderr.write(`run ${i + 1}/${RUNS}: exit ${r.code}\n`);
}
const runSeconds = (Date.now() - t0) / 1000;
const abVerdicts = [];
const t1 = Date.now();
for (let i = 0; i < AB_RUNS; i++) {
  // A/A on this checkout: both sides are HEAD, each in its own worktree.
  const r = await cli([
    "ab",
    "HEAD",
    "HEAD",
    values.stack,
    "--trials",
    "2",
    "--max-pairs",
    "4",
    "--duration",
    "1",
    "--warmup",
    "0.5",
    "--connections",
    "20",
  ]);
  if (![0, 1].includes(r.code)) failures.push(`ab ${i + 1}: exit ${r.code}: ${r.err.trim().split("\n").at(-1)}`);
  abVerdicts.push(/\b(pass|regression|improvement|inconclusive)\b/i.exec(r.out)?.[1] ?? `exit ${r.code}`);
  process.stderr.write(`ab ${i + 1}/${AB_RUNS}: exit ${r.code}\n`);
}
const abSeconds = (Date.now() - t1) / 1000;
// SIGKILLed or exited children may take a moment to be reaped.
await new Promise((r) => setTimeout(r, 500));
const after = { fds: fds(), ...memory(), marked: marked().length };
const ports = [...announced].filter((p) => listeningInodes(p).size > 0);
const leftDirs = readdirSync(temp).filter((d) => d.startsWith("loadgate-"));
const leftBytes = du(temp);

const stat = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  const sd = Math.sqrt(s.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, s.length - 1));
  return { min: s[0], median: s[Math.floor(s.length / 2)], max: s.at(-1), cv: sd / mean };
};
const tp = stat(results.map((r) => r.summary.throughput.median));
const p99 = stat(results.map((r) => r.summary.latency.p99.median));

const lines = [
  `soak: ${RUNS} runs of ${values.stack} (2 × 1 s trials, 20 connections) in ${runSeconds.toFixed(0)} s, then ${AB_RUNS} A/A ab runs (≤ 4 pairs) in ${abSeconds.toFixed(0)} s, one loadgate process`,
  `failed runs:                 ${failures.length}${failures.length ? ` (${failures.join("; ")})` : ""}`,
  `processes left (run marker): ${after.marked}`,
  `listening ports left:        ${ports.length} of ${announced.size} announced`,
  `run folders left in temp:    ${leftDirs.length} (${(leftBytes / 1024).toFixed(0)} KiB in ${temp})`,
  `file descriptors:            ${before.fds} before, ${after.fds} after`,
  `memory (RSS / heap used):    ${mib(before.rss)} / ${mib(before.heap)} MiB before, ${mib(after.rss)} / ${mib(after.heap)} MiB after${globalThis.gc ? "" : " (run with --expose-gc for a settled heap)"}`,
  `throughput (req/s):          min ${tp.min.toFixed(0)}, median ${tp.median.toFixed(0)}, max ${tp.max.toFixed(0)}, CV ${(tp.cv * 100).toFixed(1)}%`,
  `P99 (ms):                    min ${p99.min.toFixed(2)}, median ${p99.median.toFixed(2)}, max ${p99.max.toFixed(2)}, CV ${(p99.cv * 100).toFixed(1)}%`,
  `A/A verdicts:                ${abVerdicts.join(", ")}`,
];
console.log(lines.join("\n"));
rmSync(temp, { recursive: true, force: true });
const leftovers = after.marked + ports.length + leftDirs.length + failures.length;
process.exit(leftovers === 0 ? 0 : 1);
