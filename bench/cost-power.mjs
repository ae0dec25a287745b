// bench/cost-power: how much the app's instruction count wanders from one fresh cost run to the
// next (A/A), whether the cost gate catches a known increase, and how long a cost run takes.
//
// The stack is bench/stacks/burn (the gunicorn-flask study app) with BURN_LOOPS: a fixed Python
// loop in every request, a known number of extra instructions (not a time-based burn).
//
// 1. Calibrate: a cost run without and with BURN_LOOPS=2000 gives the instructions of one loop
//    iteration; the loop lengths that cost 1%, 2% and 5% of the app's instructions per request
//    follow from it (and are checked by the measured change, printed).
// 2. Runs: fresh `loadgate cost` runs (each brings the whole stack up and down): --aa of the base,
//    --runs of +2%, and --runs-small of +1% and +5%.
// 3. Verdicts: the cost gate's own rule (src/compare/cost.ts) at the default limit, at the level
//    of a run with the cost gate beside throughput and P99 (3 tested metrics): A/A as run i against
//    run i+1 of the base (cyclic) and over all pairs; each increase as its run j against base run j.
//
//   node --import tsx bench/cost-power.mjs [--aa 20] [--runs 20] [--runs-small 10]
//        [--limit 1%] [--from DIR] [--dir DIR]
// Results are saved in a temporary folder (printed); --from DIR replays them without measuring;
// --dir DIR measures only the runs missing from DIR (to resume, or to re-measure deleted cases).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { DEFAULT_COST_LIMIT } from "../src/compare/gate.ts";
import { DEFAULT_ALPHA, metricAlpha } from "../src/compare/risk.ts";
import { costVerdict } from "../src/cost/verdict.ts";
import { CLI, f, median, ROOT, run } from "./lib.mjs";

const { values } = parseArgs({
  options: {
    aa: { type: "string", default: "20" },
    runs: { type: "string", default: "20" },
    "runs-small": { type: "string", default: "10" },
    limit: { type: "string" },
    from: { type: "string" },
    dir: { type: "string" },
  },
});
const STACK = join(ROOT, "bench/stacks/burn");
const dir = values.from ?? values.dir ?? mkdtempSync(join(tmpdir(), "lg-cost-power-"));
const limit = values.limit ? Number(values.limit.replace(/[+%]/g, "")) / 100 : DEFAULT_COST_LIMIT;
// A gate with the cost beside throughput and P99: α split over 3 tested metrics.
const alpha = metricAlpha({ alpha: DEFAULT_ALPHA, stacks: 1, looks: 1 }, 3);
const log = (line) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
log(`saving to ${dir}`);

/** One fresh cost run with BURN_LOOPS = loops; the Result's cost record (saved as <name>.json). */
async function costRun(name, loops) {
  const file = join(dir, `${name}.json`);
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8")).results[0].cost;
  if (values.from) throw new Error(`${file} is missing from --from ${values.from}`);
  const t0 = Date.now();
  const r = await run(process.execPath, [CLI, "cost", STACK, "--install", "--json", file], {
    env: { ...process.env, BURN_LOOPS: String(loops) },
  });
  if (r.code !== 0) throw new Error(`loadgate cost (${name}) failed (${r.code}):\n${r.stderr.slice(-2000)}`);
  const cost = JSON.parse(readFileSync(file, "utf8")).results[0].cost;
  log(
    `${name}: ${f(cost.perRequest / 1000, 1)}k per request, spread ${f(cost.spread * 100, 2)}%, ${f((Date.now() - t0) / 1000, 0)} s`,
  );
  return cost;
}

const many = async (prefix, n, loops) => {
  const out = [];
  for (let i = 0; i < n; i++) out.push(await costRun(`${prefix}-${i}`, loops));
  return out;
};

// 1. Calibrate
mkdirSync(dir, { recursive: true });
const CAL_LOOPS = 400;
const cal0 = await costRun("calibrate-0", 0);
const cal1 = await costRun(`calibrate-${CAL_LOOPS}`, CAL_LOOPS);
const perLoop = (cal1.perRequest - cal0.perRequest) / CAL_LOOPS;
const loopsFor = (share) => Math.round((share * cal0.perRequest) / perLoop);
log(`one loop iteration: ${f(perLoop, 1)} instructions; the app: ${f(cal0.perRequest / 1000, 1)}k per request`);

// 2. Runs
const aa = await many("aa", Number(values.aa), 0);
const sizes = [
  { share: 0.01, n: Number(values["runs-small"]) },
  { share: 0.02, n: Number(values.runs) },
  { share: 0.05, n: Number(values["runs-small"]) },
];
const heads = [];
for (const s of sizes)
  heads.push({ ...s, loops: loopsFor(s.share), runs: await many(`plus${s.share * 100}`, s.n, loopsFor(s.share)) });

// 3. Verdicts
const tally = (pairs) => {
  const t = { n: pairs.length, regression: 0, pass: 0, inconclusive: 0, improvement: 0, changes: [] };
  for (const [b, h] of pairs) {
    const v = costVerdict(b, h, limit, alpha).verdict;
    t[v.verdict]++;
    t.changes.push(v.change);
  }
  return t;
};
const aaNext = aa.map((b, i) => [b, aa[(i + 1) % aa.length]]);
const aaAll = aa.flatMap((b, i) => aa.slice(i + 1).map((h) => [b, h]));
const rows = [
  ["A/A, run i vs i+1", tally(aaNext)],
  ["A/A, all pairs", tally(aaAll)],
  ...heads.map((h) => [`+${h.share * 100}% (${h.loops} loops)`, tally(h.runs.map((r, j) => [aa[j % aa.length], r]))]),
];

const logs = aa.map((c) => Math.log(c.perRequest));
const meanLog = logs.reduce((a, b) => a + b, 0) / logs.length;
const sd = Math.sqrt(logs.reduce((a, b) => a + (b - meanLog) ** 2, 0) / (logs.length - 1));
const all = [cal0, cal1, ...aa, ...heads.flatMap((h) => h.runs)];
const seconds = all.map((c) => c.seconds);
const cpu = cpus()[0]?.model ?? "unknown";

console.log(`\n## bench/cost-power (${cpus().length} × ${cpu}, ${new Date().toISOString().slice(0, 10)})\n`);
console.log(
  `Stack bench/stacks/burn (gunicorn-flask study app), ${cal0.chunks.length} chunks × ${cal0.chunkRequests} requests after ${cal0.warmupRequests} warmup, ${cal0.valgrind}.`,
);
console.log(
  `App instructions per request: ${f(cal0.perRequest / 1000, 1)}k; one BURN_LOOPS iteration: ${f(perLoop, 1)} instructions.\n`,
);
console.log(
  `A/A over ${aa.length} fresh cost runs: run-to-run SD of the per-request count ${f(sd * 100, 3)}%, range ${f((Math.max(...logs) - Math.min(...logs)) * 100, 3)}%; median chunk spread within a run ${f(median(aa.map((c) => c.spread)) * 100, 3)}%.`,
);
console.log(
  `Wall time per cost run (bringing the stack up and down included): median ${f(median(seconds), 1)} s, max ${f(Math.max(...seconds), 1)} s.\n`,
);
console.log(
  `Limit +${f(limit * 100, 1)}%, interval at ${f((1 - 2 * alpha) * 100, 1)}% (α = ${f(alpha * 100, 2)}% one-sided: 3 tested metrics).\n`,
);
console.log("| Case | Comparisons | Measured change (median) | regression | pass | inconclusive |");
console.log("|---|---:|---:|---:|---:|---:|");
for (const [label, t] of rows) {
  console.log(
    `| ${label} | ${t.n} | ${f(median(t.changes) * 100, 2)}% | ${t.regression} | ${t.pass} | ${t.inconclusive + t.improvement} |`,
  );
}
console.log(
  `\nSaved in ${dir} (replay: node --import tsx bench/cost-power.mjs --from ${dir}); ${readdirSync(dir).length} Results.`,
);
