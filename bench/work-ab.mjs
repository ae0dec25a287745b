// bench/work-ab: the A/B half of bench/work-power. Whether `loadgate ab`'s work rows (the work counted
// once per side, in the first block) catch the four injected database regressions of bench/work-power
// and stay quiet on A/A, with the timing gate reduced to SLOs no run misses, so that the exit code is
// the work gate's (and the error rate's).
//
// For each app (bench/work-cases.mjs) a temporary git repository holds its stack file and every
// folder it reads, at the same paths: the tag `base` is the stack as it is (WORK_INJECT unset: the app
// as it is); each change is a commit on top of base whose stack file sets the app's env WORK_INJECT
// (database.setup gets app.env too, so the index case's migration drops the index in the head only);
// A/A is an empty commit on top of base (another sha, the same content).
//
// Each run: `loadgate ab base <case> <stack> --min-pairs 2 --max-pairs 2 --duration 1s --warmup 0.5s
// --connections 10 --p99-threshold "<3600s" --throughput-threshold ">0.001/s" --json`; rounds of every case in turn per
// app (so a drift of the machine touches every case alike). Recorded: the exit code (1 = regression),
// the work keys that fired and any other metric that did, the explanation's flags
// (src/report/work-changes.ts), the counts per request of both sides, each side's work.seconds and
// the wall time of the whole ab.
//
//   node --import tsx bench/work-ab.mjs [--runs 5] [--stacks study,orm]
//        [--cases aa,n+1,index,row,connection] [--from DIR] [--dir DIR]
// Records are saved in a temporary folder (printed; the repositories are removed at the end);
// --from DIR replays them without measuring;
// --dir DIR measures only the runs missing from DIR (to resume).
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { workChanges } from "../src/report/work-changes.ts";
import { CLI, f, median, ROOT, run } from "./lib.mjs";
import { CASES as CHANGES, listOption, STACKS } from "./work-cases.mjs";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "5" },
    stacks: { type: "string", default: "study,orm" },
    cases: { type: "string", default: "aa,n+1,index,row,connection" },
    from: { type: "string" },
    dir: { type: "string" },
  },
});
const CASES = {
  aa: { label: "A/A (an empty commit)", inject: null },
  ...Object.fromEntries(Object.entries(CHANGES).filter(([c]) => c !== "index-schema")),
};
const RUNS = Number(values.runs);
const stacks = listOption("stacks", values.stacks, STACKS);
const cases = listOption("cases", values.cases, CASES);
// 10 connections, not the stack's 100: with the index dropped each request of the study app scans the
// table (about 70 ms), and 100 requests queued on 2 CPUs finish none within a 1-s window.
const AB = ["--install", "--min-pairs", "2", "--max-pairs", "2", "--duration", "1s", "--warmup", "0.5s"];
AB.push("--connections", "10");
const NO_TIMING_GATE = ["--p99-threshold", "<3600s", "--throughput-threshold", ">0.001/s"];
const GATED = ["statements", "rows", "pages", "connections"];
const dir = values.from ?? values.dir ?? mkdtempSync(join(tmpdir(), "lg-work-ab-"));
mkdirSync(dir, { recursive: true });
const log = (line) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
log(`saving to ${dir}`);
const GIT_ENV = { GIT_AUTHOR_NAME: "b", GIT_AUTHOR_EMAIL: "b@b", GIT_COMMITTER_NAME: "b", GIT_COMMITTER_EMAIL: "b@b" };
// The bench's own WORK_INJECT (app.pass-env) must not reach either side.
const { WORK_INJECT: _unset, ...AB_ENV } = process.env;
const tagOf = (c) => `case-${c.replace("+", "plus")}`;

async function git(repo, ...args) {
  const r = await run("git", args, { cwd: repo, env: { ...process.env, ...GIT_ENV } });
  if (r.code !== 0) throw new Error(`git ${args.join(" ")} failed in ${repo}:\n${r.stderr}`);
  return r.stdout.trim();
}

/** The stack file with WORK_INJECT set in its app's env (a flow mapping `env: { … }`). */
function withInject(text, inject) {
  const changed = text.replace(/^(\s+env: \{ )/m, `$1WORK_INJECT: "${inject}", `);
  if (changed === text) throw new Error("the stack file has no `env: { … }` line to add WORK_INJECT to");
  return changed;
}

/** A temporary repository of one app: the tag base, and a tag per case on a commit on top of it. */
async function makeRepo(stack) {
  const repo = mkdtempSync(join(tmpdir(), `lg-work-ab-${stack}-`));
  for (const folder of STACKS[stack].folders) cpSync(join(ROOT, folder), join(repo, folder), { recursive: true });
  await git(repo, "init", "-q", "-b", "main");
  await git(repo, "add", ".");
  await git(repo, "commit", "-q", "-m", "base");
  await git(repo, "tag", "base");
  const file = join(repo, STACKS[stack].stack);
  const text = readFileSync(file, "utf8");
  for (const c of cases) {
    await git(repo, "checkout", "-q", "--detach", "base");
    if (CASES[c].inject === null) await git(repo, "commit", "-q", "--allow-empty", "-m", c);
    else {
      writeFileSync(file, withInject(text, CASES[c].inject));
      await git(repo, "commit", "-q", "-am", c);
    }
    await git(repo, "tag", tagOf(c));
  }
  await git(repo, "checkout", "-q", "main");
  log(`${stack}: repository ${repo} (base and ${cases.map(tagOf).join(", ")})`);
  return repo;
}

/** What one ab's Result says: exit code, work keys and other metrics that fired, flags, counts. */
function recordOf(doc, code, wall) {
  const report = doc.reports?.[0];
  const metrics = report?.comparison?.metrics ?? [];
  const fired = metrics.filter((m) => m.verdict === "regression").map((m) => m.metric);
  const base = report?.baseline?.work;
  const head = doc.results[0]?.work;
  const changes = base && head ? workChanges(base, head).statements : [];
  return {
    code,
    wall,
    work: fired.filter((k) => GATED.includes(k)),
    other: fired.filter((k) => !GATED.includes(k)),
    nPlusOne: changes.some((s) => s.likelyNPlusOne),
    lostIndex: changes.some((s) => s.likelyLostIndex),
    base: base ? { ...base.perRequest, seconds: base.seconds } : null,
    head: head ? { ...head.perRequest, seconds: head.seconds } : null,
    notes: report?.comparison?.notes ?? [],
    blocks: report?.comparison?.sequential?.seconds ?? null,
  };
}

/** One `loadgate ab base <case>` (its Result as <name>.json, its record as <name>.record.json). */
async function abRun(stack, repo, c, i) {
  const name = `${stack}-${c}-${i}`;
  const recordFile = join(dir, `${name}.record.json`);
  if (existsSync(recordFile)) return JSON.parse(readFileSync(recordFile, "utf8"));
  if (values.from) throw new Error(`${recordFile} is missing from --from ${values.from}`);
  const json = join(dir, `${name}.json`);
  const t0 = Date.now();
  const args = [CLI, "ab", "base", tagOf(c), STACKS[stack].stack, ...AB, ...NO_TIMING_GATE, "--json", json];
  const r = await run(process.execPath, args, { cwd: repo, env: AB_ENV });
  const wall = (Date.now() - t0) / 1000;
  if (r.code !== 0 && r.code !== 1)
    throw new Error(`loadgate ab (${name}) failed (${r.code}):\n${r.stderr.slice(-3000)}`);
  const record = recordOf(JSON.parse(readFileSync(json, "utf8")), r.code, wall);
  writeFileSync(recordFile, JSON.stringify(record));
  const counts = (w) => (w ? `${f(w.statements, 2)}/${f(w.rows, 2)}/${f(w.pages, 1)}/${f(w.connections, 2)}` : "–");
  log(
    `${name}: exit ${r.code} in ${f(wall, 1)} s; work fired: ${record.work.join(", ") || "none"}${record.other.length ? `; also ${record.other.join(", ")}` : ""}; statements/rows/pages/connections ${counts(record.base)} → ${counts(record.head)}`,
  );
  return record;
}

const range = (xs, digits) => {
  const v = xs.filter((x) => Number.isFinite(x));
  if (v.length === 0) return "–";
  const [lo, hi] = [Math.min(...v), Math.max(...v)];
  const d = digits ?? (hi >= 100 ? 0 : 2);
  return f(lo, d) === f(hi, d) ? f(lo, d) : `${f(lo, d)}–${f(hi, d)}`;
};
// The notes about the work rows (the timing notes of a 2-pair ab say the same every run).
const WORK_NOTE = /gate\.(statements|rows|pages|connections)|database work|work\.dataHash/;

/** One app's tables: the verdicts per case, then the counts of both sides and the times. */
function tables(stack, records) {
  const out = [`\n### ${STACKS[stack].label} (bench/stacks/work-${stack}), loadgate ab\n`];
  out.push("| Case | ab runs | exit 1 | statements | rows | pages | connections | other metrics | flagged |");
  out.push("|---|---:|---:|---:|---:|---:|---:|---|---|");
  for (const c of cases) {
    const rs = records[c];
    const n = rs.length;
    const count = (p) => rs.filter(p).length;
    const other = [...new Set(rs.flatMap((r) => r.other))];
    const flags = [
      count((r) => r.nPlusOne) ? `likely N+1 ${count((r) => r.nPlusOne)}/${n}` : "",
      count((r) => r.lostIndex) ? `likely lost index ${count((r) => r.lostIndex)}/${n}` : "",
    ].filter(Boolean);
    const keys = GATED.map((k) => count((r) => r.work.includes(k)));
    out.push(
      `| ${CASES[c].label} | ${n} | ${count((r) => r.code === 1)}/${n} | ${keys.join(" | ")} | ${other.join(", ") || "–"} | ${flags.join(", ") || "–"} |`,
    );
  }
  out.push(
    "\nCounts per request (base → head, min–max over the runs), each side's work.seconds and the ab's wall time (medians), of which the setup (installs, seeding) and the one block (both sides' stacks, 2 pairs, both counts):\n",
  );
  out.push(
    "| Case | statements | rows | pages | connections | work.seconds base / head | ab wall (range) | setup / block |",
  );
  out.push("|---|---|---|---|---|---|---|---|");
  for (const c of cases) {
    const rs = records[c];
    const side = (s, k) => range(rs.map((r) => r[s]?.[k] ?? Number.NaN));
    const cell = (k) => `${side("base", k)} → ${side("head", k)}`;
    const secs = (s) => f(median(rs.map((r) => r[s]?.seconds ?? Number.NaN)), 1);
    const walls = rs.map((r) => r.wall);
    const phase = (pick) => f(median(rs.map((r) => (r.blocks ? pick(r.blocks) : Number.NaN))), 1);
    out.push(
      `| ${c} | ${GATED.map(cell).join(" | ")} | ${secs("base")} / ${secs("head")} s | ${f(median(walls), 1)} s (${range(walls, 1)} s) | ${phase((b) => b.setup)} / ${phase((b) => b.blocks[0])} s |`,
    );
  }
  const notes = new Set(
    cases.flatMap((c) => records[c].flatMap((r) => r.notes.filter((n) => WORK_NOTE.test(n)).map((n) => `${c}: ${n}`))),
  );
  for (const n of notes) out.push(`\nNote (${n.slice(0, n.indexOf(":"))}): ${n.slice(n.indexOf(":") + 2)}`);
  return out;
}

const repos = {};
for (const stack of stacks) repos[stack] = values.from ? null : await makeRepo(stack);
const records = Object.fromEntries(stacks.map((s) => [s, Object.fromEntries(cases.map((c) => [c, []]))]));
for (let i = 0; i < RUNS; i++)
  for (const stack of stacks) for (const c of cases) records[stack][c].push(await abRun(stack, repos[stack], c, i));
for (const repo of Object.values(repos)) if (repo) rmSync(repo, { recursive: true, force: true });

const cpu = cpus()[0]?.model ?? "unknown";
console.log(
  `## bench/work-ab (${cpus().length} × ${cpu}, ${new Date().toISOString().slice(0, 10)}; ${RUNS} ab runs per case, loadgate ab ${[...AB, ...NO_TIMING_GATE].join(" ")}; the work gate at the stack files' defaults)`,
);
for (const stack of stacks) console.log(tables(stack, records[stack]).join("\n"));
console.log(`\nSaved in ${dir} (replay: node --import tsx bench/work-ab.mjs --from ${dir} --runs ${RUNS})`);
