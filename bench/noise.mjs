// bench/noise: the same stack measured RUNS times from scratch (a fresh stack each time);
// prints the coefficient of variation of the throughput and P99 medians, without and with --pin.
//   node bench/noise.mjs [--stack stacks/gunicorn-flask] [--runs 5] [--duration 5] [--trials 3] [--no-pin-compare]
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { cv, f, loadgate } from "./lib.mjs";

const { values } = parseArgs({
  options: {
    stack: { type: "string", default: "stacks/gunicorn-flask" },
    runs: { type: "string", default: "5" },
    duration: { type: "string", default: "5" },
    warmup: { type: "string", default: "5" },
    trials: { type: "string", default: "3" },
    "no-pin-compare": { type: "boolean", default: false },
  },
});
const modes = values["no-pin-compare"] ? [false] : [false, true];
const table = [];
for (const pin of modes) {
  const tp = [];
  const p99 = [];
  for (let i = 0; i < Number(values.runs); i++) {
    const args = [
      values.stack,
      "--install",
      "--warmup",
      values.warmup,
      "--duration",
      values.duration,
      "--trials",
      values.trials,
    ];
    if (pin) args.push("--pin");
    const r = await loadgate(args, join(tmpdir(), `lg-noise-${i}.json`));
    tp.push(r.summary.throughput.median);
    p99.push(r.summary.latency.p99.median);
    console.error(
      `${pin ? "pinned" : "unpinned"} run ${i + 1}: ${f(r.summary.throughput.median, 0)} req/s, P99 ${f(r.summary.latency.p99.median)} ms`,
    );
  }
  table.push({ pin, tp, p99 });
}
console.log(
  `\nbench/noise on ${cpus()[0].model} (${cpus().length} CPUs), ${values.stack}, ${values.runs} fresh stacks, warmup ${values.warmup} s, ${values.trials} × ${values.duration} s`,
);
console.log("placement   throughput CV   P99 CV   throughput medians");
for (const row of table) {
  console.log(
    `${(row.pin ? "--pin" : "unpinned").padEnd(10)} ${(f(cv(row.tp) * 100, 1) + "%").padStart(14)} ${(f(cv(row.p99) * 100, 1) + "%").padStart(8)}   ${row.tp.map((v) => f(v, 0)).join(", ")}`,
  );
}
