// bench/gate-power: how often each gate mode raises a false alarm, and how often it catches a real
// slowdown, on the machine at hand, at the default thresholds (+10% P99, -5% throughput).
//
//   A/A runs: the same code on both sides; a `regression` verdict is a false alarm.
//   Slowdown runs: the head burns extra CPU per request (BURN_US), sized to cost about 10% of
//   throughput (the script measures and prints what it cost).
//
// Modes: "stored" = two separate runs (fresh stacks, one after the other), compared as the stored
// baseline gate does with a baseline of no history; "ab" = `loadgate ab` between two commits.
//
//   node bench/gate-power.mjs [--runs 3] [--burn-us 150] [--pairs 6] [--duration 3] [--modes stored,ab]
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { CLI, f, loadgate, ROOT, run } from "./lib.mjs";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "3" },
    "burn-us": { type: "string", default: "150" },
    pairs: { type: "string", default: "6" },
    duration: { type: "string", default: "3" },
    trials: { type: "string", default: "5" },
    modes: { type: "string", default: "stored,ab" },
  },
});
const runs = Number(values.runs);
const burn = Number(values["burn-us"]);
const modes = values.modes.split(",");
const STACK = join(ROOT, "bench/stacks/burn");
const tmp = mkdtempSync(join(tmpdir(), "lg-power-"));
const loadArgs = ["--warmup", "5", "--duration", values.duration];

async function measured(burnUs, i) {
  return loadgate([STACK, "--install", ...loadArgs, "--trials", values.trials], join(tmp, `m-${burnUs}-${i}.json`), {
    BURN_US: String(burnUs),
  });
}

// 1. What the injected slowdown costs.
const plain = await measured(0, "cost");
const slowed = await measured(burn, "cost");
const cost = 1 - slowed.summary.throughput.median / plain.summary.throughput.median;
console.error(
  `BURN_US=${burn} costs ${f(cost * 100, 1)}% of throughput (${f(plain.summary.throughput.median, 0)} → ${f(slowed.summary.throughput.median, 0)} req/s)`,
);

const rows = [];

// 2. Stored baseline: base run, then head run, compared.
if (modes.includes("stored")) {
  for (const kind of ["A/A", "slowdown"]) {
    let alarms = 0;
    let seconds = 0;
    for (let i = 0; i < runs; i++) {
      const t0 = Date.now();
      const baseFile = join(tmp, `stored-base-${kind}-${i}.json`);
      const headFile = join(tmp, `stored-head-${kind}-${i}.json`);
      await loadgate([STACK, "--install", ...loadArgs, "--trials", values.trials], baseFile, { BURN_US: "0" });
      await loadgate([STACK, "--install", ...loadArgs, "--trials", values.trials], headFile, {
        BURN_US: kind === "A/A" ? "0" : String(burn),
      });
      const c = await run(process.execPath, [CLI, "compare", baseFile, headFile]);
      const verdict = /: ([A-Z-]+)/.exec(c.stdout)?.[1] ?? "?";
      if (verdict === "REGRESSION") alarms++;
      seconds += (Date.now() - t0) / 1000;
      console.error(`stored ${kind} ${i + 1}/${runs}: ${verdict}`);
    }
    rows.push({ mode: "stored baseline", kind, alarms, runs, seconds: seconds / runs });
  }
}

// 3. Same-runner A/B between two commits of a scratch repository.
if (modes.includes("ab")) {
  const repo = mkdtempSync(join(tmpdir(), "lg-power-repo-"));
  const git = (...args) =>
    execFileSync("git", args, {
      cwd: repo,
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: "b",
        GIT_AUTHOR_EMAIL: "b@b",
        GIT_COMMITTER_NAME: "b",
        GIT_COMMITTER_EMAIL: "b@b",
      },
    });
  const stackFor = (burnUs) =>
    readFileSync(join(STACK, "stack.yml"), "utf8")
      .replaceAll("../../../", `${ROOT}/`)
      .replace("--pythonpath {stack_dir}", `--pythonpath ${STACK}`)
      .replace(
        'env: { DATABASE_URL: "{database_url}" }',
        `env: { DATABASE_URL: "{database_url}", BURN_US: "${burnUs}" }`,
      );
  git("init", "-q", "-b", "main");
  writeFileSync(join(repo, "stack.yml"), stackFor(0));
  git("add", ".");
  git("commit", "-q", "-m", "base");
  git("tag", "base");
  writeFileSync(join(repo, "note"), "same code\n");
  git("add", ".");
  git("commit", "-q", "-m", "same");
  git("tag", "same");
  writeFileSync(join(repo, "stack.yml"), stackFor(burn));
  git("commit", "-q", "-am", "slow");
  git("tag", "slow");
  for (const [kind, head] of [
    ["A/A", "same"],
    ["slowdown", "slow"],
  ]) {
    let alarms = 0;
    let seconds = 0;
    for (let i = 0; i < runs; i++) {
      const t0 = Date.now();
      const r = await run(
        process.execPath,
        [CLI, "ab", "base", head, "stack.yml", "--install", "--trials", values.pairs, ...loadArgs],
        { cwd: repo },
      );
      const verdict = /\): ([A-Z-]+)/.exec(r.stdout)?.[1] ?? `exit ${r.code}`;
      if (verdict === "REGRESSION") alarms++;
      seconds += (Date.now() - t0) / 1000;
      console.error(`ab ${kind} ${i + 1}/${runs}: ${verdict}`);
      if (r.code !== 0 && r.code !== 1) console.error(r.stderr.slice(-2000));
    }
    rows.push({ mode: "same-runner A/B", kind, alarms, runs, seconds: seconds / runs });
  }
}

console.log(
  `\nbench/gate-power on ${cpus()[0].model} (${cpus().length} CPUs); injected slowdown BURN_US=${burn} cost ${f(cost * 100, 1)}% of throughput; gate +10% P99 / -5% throughput`,
);
console.log(
  `stored: ${values.trials} trials × ${values.duration} s per side; A/B: ${values.pairs} pairs × ${values.duration} s`,
);
console.log("mode              runs   regression verdicts               wall time per verdict");
for (const r of rows) {
  const what = r.kind === "A/A" ? "false alarms" : "detected";
  console.log(
    `${r.mode.padEnd(17)} ${String(r.runs).padStart(4)}   ${`${r.kind} ${what}: ${r.alarms}/${r.runs}`.padEnd(30)}   ${f(r.seconds, 0)} s`,
  );
}
