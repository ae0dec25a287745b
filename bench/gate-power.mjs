// bench/gate-power: how often each gate mode raises a false alarm, how often it catches a real
// slowdown, and how long a verdict takes, on the machine at hand.
//
// Twenty full verdicts per case would take hours, so the benchmark measures pools of real blocks
// once and replays the gate's own stopping rule on blocks drawn from them, then confirms with a few
// full end-to-end verdicts:
//
// 1. Calibrate: the head burns BURN_US µs of CPU per request, sized so that it costs 10% (± 2%) of
//    throughput (measured A/B, printed).
// 2. Pools (same-runner A/B, restarted as the gate restarts, through `loadgate ab` itself with the
//    number of pairs fixed): A/A blocks, slowed blocks, and tail blocks (a share of requests made
//    slower: a P99 slowdown).
// 3. Replay: the sequential rule (src/ab/sequential.ts, the engine's own) on blocks drawn with
//    replacement from each pool, many times, for several --max-pairs; wall time from the blocks' own.
// 4. Stored baseline: fresh `loadgate run`s of the base and of the slowed code; replay the stored
//    comparison (src/compare/verdict.ts) with a history of main's runs drawn from the base runs.
// 5. End to end: full `loadgate ab` verdicts at the defaults, A/A and slowed.
//
//   node --import tsx bench/gate-power.mjs [--blocks 30] [--tail-blocks 20] [--stored-runs 16]
//        [--e2e 5] [--duration 3] [--warmup 2] [--burn-us auto] [--replays 4000]
//        [--steps calibrate,pools,stored,e2e] [--from DIR]
// Measurements are saved in a temporary folder (printed); --from DIR replays the pools and stored
// runs saved there instead of measuring them again (for a changed rule, or other --max-pairs).
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { planLooks } from "../src/ab/looks.ts";
import { replaySequential } from "../src/ab/sequential.ts";
import { compareWithBaseline } from "../src/verdict/stored.ts";
import { CLI, f, loadgate, median, ROOT, run } from "./lib.mjs";

const { values } = parseArgs({
  options: {
    blocks: { type: "string", default: "30" },
    "tail-blocks": { type: "string", default: "20" },
    "stored-runs": { type: "string", default: "16" },
    e2e: { type: "string", default: "5" },
    duration: { type: "string", default: "3" },
    warmup: { type: "string", default: "2" },
    "burn-us": { type: "string", default: "auto" },
    "tail-share": { type: "string", default: "0.01" },
    "tail-ms": { type: "string", default: "40" },
    replays: { type: "string", default: "4000" },
    steps: { type: "string", default: "calibrate,pools,stored,e2e" },
    "max-pairs": { type: "string", default: "16,24,32,40" },
    from: { type: "string" },
  },
});
const steps = values.steps.split(",");
const STACK = join(ROOT, "bench/stacks/burn");
const tmp = mkdtempSync(join(tmpdir(), "lg-power-"));
const loadArgs = ["--warmup", values.warmup, "--duration", values.duration];
const gate = { p99: 0.1, throughput: -0.05, errorRate: 0.01 };
const log = (line) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
const started = Date.now();

// A scratch repository: base, the same code again, the slowed code, the tail-slowed code.
const repo = mkdtempSync(join(tmpdir(), "lg-power-repo-"));
const git = (...args) =>
  execFileSync("git", args, {
    cwd: repo,
    encoding: "utf8",
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "b",
      GIT_AUTHOR_EMAIL: "b@b",
      GIT_COMMITTER_NAME: "b",
      GIT_COMMITTER_EMAIL: "b@b",
    },
  });
const stackFor = (env) =>
  readFileSync(join(STACK, "stack.yml"), "utf8")
    .replaceAll("../../../", `${ROOT}/`)
    .replace("--pythonpath {stack_dir}", `--pythonpath ${STACK}`)
    .replace(
      'env: { DATABASE_URL: "{database_url}" }',
      `env: { DATABASE_URL: "{database_url}"${Object.entries(env)
        .map(([k, v]) => `, ${k}: "${v}"`)
        .join("")} }`,
    );
const commit = (tag, env) => {
  writeFileSync(join(repo, "stack.yml"), stackFor(env));
  writeFileSync(join(repo, "note"), `${tag}\n`);
  git("add", ".");
  git("commit", "-q", "--allow-empty", "-m", tag);
  git("tag", "-f", tag);
};
git("init", "-q", "-b", "main");
commit("base", {});
commit("same", {});

/** One `loadgate ab` with the pairs fixed (min = max) or at the defaults; its pairs by block and times. */
async function ab(head, pairs, label) {
  const out = join(tmp, `ab-${label}-${Date.now()}.json`);
  const t0 = Date.now();
  const fixed = pairs ? ["--min-pairs", String(pairs), "--max-pairs", String(pairs)] : [];
  const r = await run(
    process.execPath,
    [CLI, "ab", "base", head, "stack.yml", "--install", ...fixed, ...loadArgs, "--json", out],
    {
      cwd: repo,
    },
  );
  const seconds = (Date.now() - t0) / 1000;
  if (r.code !== 0 && r.code !== 1)
    throw new Error(`loadgate ab base ${head} failed (${r.code}):\n${r.stderr.slice(-3000)}`);
  const doc = JSON.parse(readFileSync(out, "utf8"));
  const rep = doc.reports[0];
  const baseTrials = rep.baseline.trials;
  const headTrials = doc.results[0].trials;
  const pairList = baseTrials.map((b, i) => ({ base: b, head: headTrials[i], block: Math.floor(i / 2) }));
  const blocks = [];
  for (const p of pairList) {
    blocks[p.block] ??= [];
    blocks[p.block].push(p);
  }
  return {
    comparison: rep.comparison,
    blocks,
    blockSeconds: rep.comparison.sequential.seconds.blocks,
    setup: rep.comparison.sequential.seconds.setup,
    seconds,
  };
}

const metric = (c, m) => c.metrics.find((x) => x.metric === m);
const summary = {};

// 1. Calibrate the injected slowdown to 10% of throughput.
let burn = values["burn-us"] === "auto" ? 100 : Number(values["burn-us"]);
if (steps.includes("calibrate")) {
  for (let i = 0; i < 4; i++) {
    commit("slow", { BURN_US: burn });
    const r = await ab("slow", 12, "calibrate");
    const cost = -metric(r.comparison, "throughput").change;
    log(`calibrate: BURN_US=${burn} costs ${f(cost * 100, 1)}% of throughput (12 pairs)`);
    if (Math.abs(cost - 0.1) <= 0.015 || values["burn-us"] !== "auto") break;
    burn = Math.max(10, Math.round((burn * 0.1) / Math.max(cost, 0.01)));
  }
}
commit("slow", { BURN_US: burn });
commit("tail", { BURN_TAIL_SHARE: values["tail-share"], BURN_TAIL_MS: values["tail-ms"] });

// 2. Pools of real blocks.
const pools =
  values.from && existsSync(join(values.from, "pools.json"))
    ? JSON.parse(readFileSync(join(values.from, "pools.json"), "utf8"))
    : {};
const poolPath = join(tmp, "pools.json");
log(`measurements go to ${tmp}`);
if (steps.includes("pools") && !values.from) {
  for (const [kind, head, n] of [
    ["A/A", "same", Number(values.blocks)],
    ["throughput -10%", "slow", Number(values.blocks)],
    ["tail", "tail", Number(values["tail-blocks"])],
  ]) {
    if (n <= 0) continue;
    const r = await ab(head, 2 * n, kind.replace(/\W/g, ""));
    pools[kind] = r;
    const tp = metric(r.comparison, "throughput");
    const p99 = metric(r.comparison, "p99");
    log(
      `pool ${kind}: ${r.blocks.length} blocks in ${f(r.seconds, 0)} s (${f(median(r.blockSeconds), 1)} s per block, setup ${f(r.setup, 1)} s); throughput ${f(tp.change * 100, 1)}% (${f(tp.ci.lo * 100, 1)} … ${f(tp.ci.hi * 100, 1)}), P99 ${f(p99.change * 100, 1)}% (${f(p99.ci.lo * 100, 1)} … ${f(p99.ci.hi * 100, 1)})`,
    );
  }
  writeFileSync(poolPath, JSON.stringify(pools));
  log(`pools written to ${poolPath}`);
}

// 3. Replay the sequential rule on blocks drawn from the pools.
let seed = 20261129;
const rand = () => {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return seed / 2 ** 32;
};
const pct = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const replayRows = [];
if (pools["A/A"]) {
  for (const maxPairs of values["max-pairs"].split(",").map(Number)) {
    const plan = planLooks(8, maxPairs);
    for (const [kind, pool] of Object.entries(pools)) {
      const counts = { regression: 0, pass: 0, improvement: 0, inconclusive: 0 };
      const times = [];
      for (let i = 0; i < Number(values.replays); i++) {
        let seconds = pool.setup;
        const { comparison } = replaySequential(
          (b) => {
            const k = Math.floor(rand() * pool.blocks.length);
            seconds += pool.blockSeconds[k];
            return pool.blocks[k].map((p) => ({ ...p, block: b }));
          },
          plan,
          gate,
        );
        counts[comparison.headline]++;
        times.push(seconds);
      }
      replayRows.push({
        maxPairs,
        looks: plan.blocks.map((b) => b * 2).join("/"),
        kind,
        counts,
        n: Number(values.replays),
        median: median(times),
        p95: pct(times, 0.95),
        max: Math.max(...times),
      });
    }
  }
}

// 4. Stored baseline: fresh runs, the comparison replayed with a history drawn from the base runs.
const storedRows = [];
if (steps.includes("stored")) {
  const n = values.from ? 0 : Number(values["stored-runs"]);
  const runs = { base: [], slow: [] };
  const times = [];
  if (values.from) {
    for (const file of readdirSync(values.from).filter((x) => /^stored-(base|slow)-\d+\.json$/.test(x))) {
      const doc = JSON.parse(readFileSync(join(values.from, file), "utf8"));
      runs[file.includes("base") ? "base" : "slow"].push(doc.results[0]);
    }
  }
  for (let i = 0; i < n; i++) {
    for (const [kind, env] of [
      ["base", { BURN_US: "0" }],
      ["slow", { BURN_US: String(burn) }],
    ]) {
      if (kind === "slow" && i >= Math.ceil(n / 2)) continue;
      const t0 = Date.now();
      runs[kind].push(
        await loadgate([STACK, "--install", ...loadArgs, "--trials", "5"], join(tmp, `stored-${kind}-${i}.json`), env),
      );
      times.push((Date.now() - t0) / 1000);
    }
    log(`stored runs: ${runs.base.length} base, ${runs.slow.length} slowed`);
  }
  const medianRun = median(times);
  for (const h of [4, 9]) {
    if (runs.base.length < h + 2) continue;
    for (const kind of ["A/A", "throughput -10%"]) {
      const counts = { regression: 0, pass: 0, improvement: 0, inconclusive: 0 };
      for (let i = 0; i < Number(values.replays); i++) {
        const order = runs.base
          .map((r) => ({ r, k: rand() }))
          .sort((a, b) => a.k - b.k)
          .map((x) => x.r);
        const [baseline, aa, ...rest] = order;
        const history = rest.slice(0, h).map((r, j) => ({
          sha: `h${j}`,
          createdAt: "",
          throughput: r.summary.throughput.median,
          p50: r.summary.latency.p50.median,
          p99: r.summary.latency.p99.median,
        }));
        const head = kind === "A/A" ? aa : runs.slow[Math.floor(rand() * runs.slow.length)];
        counts[compareWithBaseline(baseline, head, gate, history).headline]++;
      }
      storedRows.push({ kind, history: h + 1, counts, n: Number(values.replays), median: medianRun });
    }
  }
  const tpBase = median(runs.base.map((r) => r.summary.throughput.median));
  const tpSlow = median(runs.slow.map((r) => r.summary.throughput.median));
  const sd = (xs) => {
    const m = xs.reduce((a, b) => a + b, 0) / xs.length;
    return Math.sqrt(xs.reduce((a, v) => a + (v - m) ** 2, 0) / (xs.length - 1));
  };
  summary.stored = `${runs.base.length} base runs (run-to-run SD of log throughput ${f(sd(runs.base.map((r) => Math.log(r.summary.throughput.median))) * 100, 1)}%, of log P99 ${f(sd(runs.base.map((r) => Math.log(r.summary.latency.p99.median))) * 100, 1)}%), ${runs.slow.length} slowed runs (median throughput ${f((tpSlow / tpBase - 1) * 100, 1)}%); ${f(medianRun, 0)} s per run`;
}

// 5. End to end at the defaults.
const e2eRows = [];
if (steps.includes("e2e")) {
  for (const [kind, head] of [
    ["A/A", "same"],
    ["throughput -10%", "slow"],
  ]) {
    const counts = { regression: 0, pass: 0, improvement: 0, inconclusive: 0 };
    const times = [];
    const pairs = [];
    for (let i = 0; i < Number(values.e2e); i++) {
      const r = await ab(head, null, `e2e-${head}`);
      counts[r.comparison.headline]++;
      times.push(r.seconds);
      pairs.push(r.comparison.sequential.pairs);
      log(
        `e2e ${kind} ${i + 1}/${values.e2e}: ${r.comparison.headline} after ${r.comparison.sequential.pairs} pairs, ${f(r.seconds, 0)} s`,
      );
    }
    e2eRows.push({
      kind,
      counts,
      n: Number(values.e2e),
      median: median(times),
      max: Math.max(...times),
      pairs: median(pairs),
    });
  }
}

// The table.
const rate = (c, n, k) => `${c[k]}/${n} (${f((100 * c[k]) / n, 1)}%)`;
const out = [];
out.push(
  `bench/gate-power on ${cpus()[0].model} (${cpus().length} CPUs), ${new Date().toISOString().slice(0, 10)}; gate +10% P99 / -5% throughput, α 5% one-sided; windows ${values.duration} s, warmup ${values.warmup} s; BURN_US=${burn}; tail: ${values["tail-share"]} of requests +${values["tail-ms"]} ms; took ${f((Date.now() - started) / 60000, 0)} min`,
);
for (const [kind, p] of Object.entries(pools)) {
  const tp = metric(p.comparison, "throughput");
  const p99 = metric(p.comparison, "p99");
  out.push(
    `pool ${kind}: ${p.blocks.length} blocks, throughput ${f(tp.change * 100, 1)}% (${f(tp.ci.lo * 100, 1)} … ${f(tp.ci.hi * 100, 1)}), P99 ${f(p99.change * 100, 1)}% (${f(p99.ci.lo * 100, 1)} … ${f(p99.ci.hi * 100, 1)}); ${f(median(p.blockSeconds), 1)} s per block, ${f(p.setup, 1)} s setup`,
  );
}
if (summary.stored) out.push(`stored: ${summary.stored}`);
if (replayRows.length) {
  out.push(
    "",
    "Same-runner A/B, replayed (min 8 pairs):",
    "",
    "| max pairs | looks (pairs) | case | regression | pass | inconclusive | median wall | 95th pct | worst |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  );
  for (const r of replayRows)
    out.push(
      `| ${r.maxPairs} | ${r.looks} | ${r.kind} | ${rate(r.counts, r.n, "regression")} | ${rate(r.counts, r.n, "pass")} | ${rate(r.counts, r.n, "inconclusive")} | ${f(r.median, 0)} s | ${f(r.p95, 0)} s | ${f(r.max, 0)} s |`,
    );
}
if (storedRows.length) {
  out.push(
    "",
    "Stored baseline, replayed:",
    "",
    "| main's runs | case | regression | pass | inconclusive | wall per verdict |",
    "| --- | --- | --- | --- | --- | --- |",
  );
  for (const r of storedRows)
    out.push(
      `| ${r.history} | ${r.kind} | ${rate(r.counts, r.n, "regression")} | ${rate(r.counts, r.n, "pass")} | ${rate(r.counts, r.n, "inconclusive")} | ${f(r.median, 0)} s |`,
    );
}
if (e2eRows.length) {
  out.push(
    "",
    "Same-runner A/B end to end at the defaults:",
    "",
    "| case | regression | pass | inconclusive | median pairs | median wall | worst |",
    "| --- | --- | --- | --- | --- | --- | --- |",
  );
  for (const r of e2eRows)
    out.push(
      `| ${r.kind} | ${r.counts.regression}/${r.n} | ${r.counts.pass}/${r.n} | ${r.counts.inconclusive}/${r.n} | ${r.pairs} | ${f(r.median, 0)} s | ${f(r.max, 0)} s |`,
    );
}
console.log(out.join("\n"));
