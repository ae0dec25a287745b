// bench/drift: how well drift detection (src/drift/) finds steps, and how often it cries wolf, on
// synthetic series of main's baselines built from this machine's measured run-to-run spreads.
//
// Each series is log-normal around a level with the measured SD of a run's median across fresh
// runs: throughput 8.3% and P99 16.1% (the 12 stored runs of bench/gate-power, docs/benchmarks.md),
// instructions per request 0.013% (the 20 fresh cost runs of bench/cost-power). A step of a known
// size sits in the middle of the series (throughput down, P99 and instructions up); a flat series
// has none. Detected: a reported change point within one point of the true place, in the right
// direction. False alarm: a flat series with any change point reported.
//
// The series are independent draws: the VM's real runs were not (two states about 15% apart), so
// the false-alarm rates here are a floor for such a machine.
//
//   node --import tsx bench/drift.mjs [--reps 20] [--flat-reps 100] [--seed 1]
import { parseArgs } from "node:util";
import { detectSeries } from "../src/drift/detect.ts";
import { seededRandom } from "../src/drift/e-divisive.ts";

const { values } = parseArgs({
  options: {
    reps: { type: "string", default: "20" },
    "flat-reps": { type: "string", default: "100" },
    seed: { type: "string", default: "1" },
  },
});
const REPS = Number(values.reps);
const FLAT_REPS = Number(values["flat-reps"]);
const random = seededRandom(Number(values.seed));
const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());

const METRICS = [
  { metric: "throughput", sd: 0.083, sign: -1, steps: [0.05, 0.1, 0.15, 0.2, 0.3], level: 3000 },
  { metric: "p99", sd: 0.161, sign: 1, steps: [0.1, 0.2, 0.3, 0.5], level: 40 },
  { metric: "instructions", sd: 0.00013, sign: 1, steps: [0.005, 0.01, 0.02], level: 1_000_000 },
];
const LENGTHS = [10, 20, 40, 80];

function series(n, level, sd, step, at) {
  return Array.from({ length: n }, (_, i) => ({
    sha: `${i}`.padStart(40, "0"),
    createdAt: "2026-01-01T00:00:00Z",
    value: level * (i >= at ? 1 + step : 1) * Math.exp(sd * normal()),
  }));
}

const pct = (x) => `${(x * 100).toFixed(x < 0.01 ? 1 : 0)}%`;
const started = Date.now();
console.log("| metric (run-to-run SD) | baselines | step | detected | false alarms (flat) |");
console.log("| --- | --- | --- | --- | --- |");
const smallest = {};
for (const m of METRICS) {
  for (const n of LENGTHS) {
    const at = Math.floor(n / 2);
    let alarms = 0;
    for (let r = 0; r < FLAT_REPS; r++) {
      if (detectSeries(m.metric, series(n, m.level, m.sd, 0, at)).changePoints.length > 0) alarms++;
    }
    for (const step of m.steps) {
      let hit = 0;
      for (let r = 0; r < REPS; r++) {
        const d = detectSeries(m.metric, series(n, m.level, m.sd, m.sign * step, at));
        if (d.changePoints.some((c) => Math.abs(c.index - at) <= 1 && Math.sign(c.change.estimate) === m.sign)) hit++;
      }
      if (hit >= Math.ceil(0.95 * REPS) && smallest[`${m.metric} ${n}`] === undefined)
        smallest[`${m.metric} ${n}`] = step;
      const label = `${m.metric} (${pct(m.sd)})`;
      console.log(
        `| ${label} | ${n} | ${m.sign < 0 ? "−" : "+"}${pct(step)} | ${hit}/${REPS} | ${alarms}/${FLAT_REPS} |`,
      );
    }
  }
}
console.log("");
console.log(`Smallest step found in at least 95% of ${REPS} series (step in the middle):`);
for (const [k, v] of Object.entries(smallest)) console.log(`  ${k} baselines: ${pct(v)}`);
console.log(`(${((Date.now() - started) / 1000).toFixed(1)} s)`);
