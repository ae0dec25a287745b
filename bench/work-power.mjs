// bench/work-power: whether the work gate (gate.statements, gate.rows, gate.pages,
// gate.connections at their defaults) catches four injected database regressions, how often it
// raises a false alarm on A/A, how much each count per request spreads from run to run, and the
// wall time the work count adds to a run.
//
// Two apps, each one stack file whose app takes the change from WORK_INJECT (app.pass-env):
// - bench/stacks/work-study: the study's gunicorn-flask app (psycopg2 pool per worker, 1M-row table);
// - bench/stacks/work-orm: a Flask + SQLAlchemy 2.1 shop (tables made from its models by
//   database.setup, SQLAlchemy's QueuePool), its requirements pinned and installed by --install.
// Changes: n+1 (10 more statements per request), index (the index of the looked-up column dropped
// by the stack's own database.setup, a migration), row (one more row per request), connection (a new
// connection to PgBouncer per request instead of the pool); and on the study app index-schema, the
// same index dropped by editing the schema file (bench/stacks/work-study/index-in-schema.yml, same
// stack name), whose work.dataHash differs from the base's (--schema-runs runs).
//
// 1. Runs: for i < --runs, a fresh `loadgate run --json` of the base and of each change in turn (so
//    a drift of the machine touches every case alike), with short timing (--trials 1 --duration 1s
//    --warmup 0.5s: the count does not need long timing); then --no-work-runs runs of the base with
//    --no-work, for the wall time the count adds beside the Result's own work.seconds.
// 2. Stored baseline: `loadgate compare <base> <head> --stack <file>` with the timing gate reduced to
//    SLOs no run misses, so its exit code is the work gate's (and the error rate's); the verdict per
//    gate key from the same rule (src/work/verdict.ts) and the explanation's flags (likely N+1,
//    likely lost index) from src/report/work-changes.ts. A/A: base run i against base run i + 1
//    (cyclic) through compare, and every pair of base runs by the rule; a change: its run j against
//    base run j. Beside the default gate (rows: +0% where neither side's app wrote a row, as here),
//    the rows key alone at --rows-limit whatever the app wrote (+20%: the limit of an app that writes).
// 3. Same-runner A/B: bench/work-ab.mjs (two commits of each app through `loadgate ab`).
//
//   node --import tsx bench/work-power.mjs [--runs 10] [--no-work-runs 5] [--schema-runs 3]
//        [--stacks study,orm] [--cases n+1,index,row,connection,index-schema] [--rows-limit +20%]
//        [--from DIR] [--dir DIR]
// Results are saved in a temporary folder (printed); --from DIR replays them without measuring;
// --dir DIR measures only the runs missing from DIR (to resume).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { loadStackFile } from "../src/config/stack-file.ts";
import { workChanges } from "../src/report/work-changes.ts";
import { addWork } from "../src/work/verdict.ts";
import { CLI, f, median, run } from "./lib.mjs";
import { CASES, listOption, STACKS } from "./work-cases.mjs";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "10" },
    "no-work-runs": { type: "string", default: "5" },
    "schema-runs": { type: "string", default: "3" },
    "rows-limit": { type: "string", default: "+20%" },
    stacks: { type: "string", default: "study,orm" },
    cases: { type: "string", default: "n+1,index,row,connection,index-schema" },
    from: { type: "string" },
    dir: { type: "string" },
  },
});
const RUNS = Number(values.runs);
const NO_WORK_RUNS = Number(values["no-work-runs"]);
const SCHEMA_RUNS = Number(values["schema-runs"]);
const stacks = listOption("stacks", values.stacks, STACKS);
const cases = listOption("cases", values.cases, CASES);
const TIMING = ["--trials", "1", "--duration", "1s", "--warmup", "0.5s"];
// SLOs no run misses: the exit code of compare is then the work gate's (and the error rate's).
const NO_TIMING_GATE = ["--p99-threshold", "<3600s", "--throughput-threshold", ">0.001/s"];
const GATED = ["statements", "rows", "pages", "connections"];
const COUNTS = ["statements", "control", "rows", "pages", "transactions", "connections", "serverConnections"];
const dir = values.from ?? values.dir ?? mkdtempSync(join(tmpdir(), "lg-work-power-"));
mkdirSync(dir, { recursive: true });
const log = (line) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
log(`saving to ${dir}`);

/** The changes measured on a stack (index-schema: the study app only). */
const casesOf = (stack) => cases.filter((c) => !CASES[c].only || CASES[c].only === stack);
const runsOf = (c) => (c === "index-schema" ? Math.min(SCHEMA_RUNS, RUNS) : RUNS);

/** One fresh `loadgate run` (saved as <name>.json, its wall time as <name>.wall): the result and wall time. */
async function measure(stack, name, { inject = "", file = STACKS[stack].file, extra = [] } = {}) {
  const json = join(dir, `${name}.json`);
  const wallFile = join(dir, `${name}.wall`);
  if (existsSync(json) && existsSync(wallFile)) {
    return { result: JSON.parse(readFileSync(json, "utf8")).results[0], wall: Number(readFileSync(wallFile, "utf8")) };
  }
  if (values.from) throw new Error(`${json} is missing from --from ${values.from}`);
  const t0 = Date.now();
  const args = [CLI, "run", file, "--install", ...TIMING, ...extra, "--json", json];
  const r = await run(process.execPath, args, { env: { ...process.env, WORK_INJECT: inject } });
  const wall = (Date.now() - t0) / 1000;
  if (r.code !== 0) throw new Error(`loadgate run (${name}) failed (${r.code}):\n${r.stderr.slice(-3000)}`);
  writeFileSync(wallFile, String(wall));
  const result = JSON.parse(readFileSync(json, "utf8")).results[0];
  const w = result.work;
  const counts = w
    ? `; work ${f(w.seconds, 1)} s: statements ${f(w.perRequest.statements, 2)}, rows ${f(w.perRequest.rows, 2)}, pages ${f(w.perRequest.pages, 1)}, connections ${f(w.perRequest.connections, 2)}`
    : "; no work count";
  log(`${name}: ${f(wall, 1)} s${counts}${w?.warnings.length ? ` (${w.warnings.join(" ")})` : ""}`);
  return { result, wall };
}

/** `loadgate compare` of two saved runs, the timing gate reduced to SLOs: its exit code. */
async function compare(stack, baseName, headName) {
  const files = [join(dir, `${baseName}.json`), join(dir, `${headName}.json`)];
  const r = await run(process.execPath, [CLI, "compare", ...files, "--stack", STACKS[stack].file, ...NO_TIMING_GATE]);
  if (r.code !== 0 && r.code !== 1) throw new Error(`loadgate compare failed (${r.code}):\n${r.stderr}`);
  return r.code;
}

/** The work gate's verdict per key (src/work/verdict.ts), its notes, and the explanation's flags. */
function judge(gate, base, head) {
  const metrics = [];
  const notes = [];
  addWork(metrics, notes, base.work, head.work, gate);
  const keys = Object.fromEntries(GATED.map((k) => [k, metrics.find((m) => m.metric === k)?.verdict ?? "none"]));
  const changes = base.work && head.work ? workChanges(base.work, head.work).statements : [];
  return {
    keys,
    any: GATED.some((k) => keys[k] === "regression"),
    nPlusOne: changes.some((s) => s.likelyNPlusOne),
    lostIndex: changes.some((s) => s.likelyLostIndex),
    notes,
  };
}

// 1. Runs, every case in turn within each round.
const runs = {};
for (const stack of stacks) {
  runs[stack] = { base: [], nowork: [] };
  for (const c of casesOf(stack)) runs[stack][c] = [];
}
for (let i = 0; i < RUNS; i++) {
  for (const stack of stacks) {
    runs[stack].base.push(await measure(stack, `${stack}-base-${i}`));
    for (const c of casesOf(stack)) {
      if (i >= runsOf(c)) continue;
      runs[stack][c].push(await measure(stack, `${stack}-${c}-${i}`, CASES[c]));
    }
  }
}
for (let i = 0; i < NO_WORK_RUNS; i++)
  for (const stack of stacks)
    runs[stack].nowork.push(await measure(stack, `${stack}-nowork-${i}`, { extra: ["--no-work"] }));

// 2. Verdicts
const rowsLimit = Number(values["rows-limit"].replace(/[+%]/g, "")) / 100;
const out = [];
const range = (xs) => {
  const v = xs.filter((x) => x !== null && x !== undefined && Number.isFinite(x));
  if (v.length === 0) return "–";
  const lo = Math.min(...v);
  const hi = Math.max(...v);
  const d = hi >= 100 ? 0 : 2;
  return f(lo, d) === f(hi, d) ? f(lo, d) : `${f(lo, d)}–${f(hi, d)}`;
};

/** Verdicts of base/head pairs: caught by any key, per key, compare's exit code, the flags, the notes. */
async function tally(stack, gates, label, pairs) {
  const t = { label, n: pairs.length, any: 0, compared: 0, exit1: 0, fixedRows: 0, nPlusOne: 0, lostIndex: 0 };
  t.keys = Object.fromEntries(GATED.map((k) => [k, 0]));
  t.notes = new Set();
  for (const [b, h] of pairs) {
    const v = judge(gates.stack, b.run.result, h.run.result);
    t.any += v.any ? 1 : 0;
    t.nPlusOne += v.nPlusOne ? 1 : 0;
    t.lostIndex += v.lostIndex ? 1 : 0;
    for (const k of GATED) t.keys[k] += v.keys[k] === "regression" ? 1 : 0;
    for (const n of v.notes) t.notes.add(n);
    t.fixedRows += judge(gates.fixedRows, b.run.result, h.run.result).keys.rows === "regression" ? 1 : 0;
    if (!b.name) continue;
    const code = await compare(stack, b.name, h.name);
    t.compared++;
    t.exit1 += code === 1 ? 1 : 0;
    if ((code === 1) !== v.any) log(`${h.name} vs ${b.name}: compare exited ${code}, the work rule says ${v.any}`);
  }
  return t;
}

for (const stack of stacks) {
  const gate = loadStackFile(STACKS[stack].file).gate;
  const gates = {
    stack: gate,
    // No readOnly: the limit whatever the app wrote.
    fixedRows: { ...gate, work: { ...gate.work, rows: { kind: "growth", limit: rowsLimit } } },
  };
  const base = runs[stack].base;
  const named = (name, r) => ({ name, run: r });
  const next = (i) => (i + 1) % base.length;
  const rows = [
    await tally(
      stack,
      gates,
      "A/A, run i vs i+1",
      base.map((r, i) => [named(`${stack}-base-${i}`, r), named(`${stack}-base-${next(i)}`, base[next(i)])]),
    ),
  ];
  if (base.length > 2) {
    const all = base.flatMap((r, i) => base.slice(i + 1).map((h) => [{ run: r }, { run: h }]));
    rows.push(await tally(stack, gates, "A/A, every pair (rule only)", all));
  }
  for (const c of casesOf(stack)) {
    const pairs = runs[stack][c].map((h, j) => [named(`${stack}-base-${j}`, base[j]), named(`${stack}-${c}-${j}`, h)]);
    rows.push(await tally(stack, gates, CASES[c].label, pairs));
  }

  out.push(`\n### ${STACKS[stack].label} (bench/stacks/work-${stack})\n`);
  out.push(
    `| Case | Comparisons | Caught (any key) | \`compare\` exit 1 | statements | rows | pages | connections | rows at +${f(rowsLimit * 100, 0)}% | flagged |`,
  );
  out.push("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|");
  for (const t of rows) {
    const flags = [
      t.nPlusOne ? `likely N+1 ${t.nPlusOne}/${t.n}` : "",
      t.lostIndex ? `likely lost index ${t.lostIndex}/${t.n}` : "",
    ].filter(Boolean);
    out.push(
      `| ${t.label} | ${t.n} | ${t.any}/${t.n} | ${t.compared ? `${t.exit1}/${t.compared}` : "–"} | ${GATED.map((k) => t.keys[k]).join(" | ")} | ${t.fixedRows} | ${flags.join(", ") || "–"} |`,
    );
  }
  for (const t of rows) for (const n of t.notes) out.push(`\nNote (${t.label}): ${n}`);

  out.push("\nEach count per request, min–max over the runs; the chunks' own spread within a run, the largest:\n");
  out.push(`| Case | runs | ${COUNTS.join(" | ")} | response bytes | chunk spread (max) |`);
  out.push(`|---|---:|${COUNTS.map(() => "---:").join("|")}|---:|---|`);
  for (const [label, list] of [["base", base], ...casesOf(stack).map((c) => [c, runs[stack][c]])]) {
    const works = list.map((r) => r.result.work).filter(Boolean);
    const wander = COUNTS.map((k) => [k, Math.max(0, ...works.map((w) => w.spread[k] ?? 0))])
      .filter(([, s]) => s > 0)
      .map(([k, s]) => `${k} ${f(s, 2)}`);
    out.push(
      `| ${label} | ${works.length} | ${COUNTS.map((k) => range(works.map((w) => w.perRequest[k]))).join(" | ")} | ${range(works.map((w) => w.perRequest.responseBytes))} | ${wander.join(", ") || "0 (exact)"} |`,
    );
  }

  const workSeconds = base.map((r) => r.result.work?.seconds ?? Number.NaN);
  const withWork = base.map((r) => r.wall);
  const without = runs[stack].nowork.map((r) => r.wall);
  const w0 = base[0]?.result.work;
  const size = w0 ? `${w0.chunks.length} chunks × ${w0.chunkRequests} requests` : "–";
  const whole = without.length
    ? `${f(median(without), 1)} s with --no-work (${without.length} runs, ${range(without)} s): ${f(median(withWork) - median(without), 1)} s more`
    : "no --no-work runs";
  out.push(
    `\nWall time of the work count (${size}; the Result's work.seconds of the base runs): median ${f(median(workSeconds), 1)} s, max ${f(Math.max(...workSeconds), 1)} s. Whole run: median ${f(median(withWork), 1)} s with the count (${withWork.length} runs, ${range(withWork)} s), ${whole}.`,
  );
  const perChange = casesOf(stack).map(
    (c) => `${c} ${f(median(runs[stack][c].map((r) => r.result.work?.seconds ?? Number.NaN)), 1)} s`,
  );
  out.push(`Work count of each change (median work.seconds): ${perChange.join(", ")}.`);
}

const cpu = cpus()[0]?.model ?? "unknown";
console.log(
  `## bench/work-power (${cpus().length} × ${cpu}, ${new Date().toISOString().slice(0, 10)}; ${RUNS} runs per case (index-schema ${Math.min(SCHEMA_RUNS, RUNS)}), loadgate run ${TIMING.join(" ")}; the work gate at the stack files' defaults)`,
);
console.log(out.join("\n"));
console.log(
  `\nSaved in ${dir} (replay: node --import tsx bench/work-power.mjs --from ${dir} --runs ${RUNS} --no-work-runs ${NO_WORK_RUNS} --schema-runs ${SCHEMA_RUNS}); ${readdirSync(dir).filter((x) => x.endsWith(".json")).length} Results.`,
);
