// bench/accuracy: loadgate against wrk on the same running stack, same connection count.
// Alternates loadgate and `wrk --latency` ROUNDS times each and prints the ratios loadgate/wrk of
// P50, P99 and throughput, and each tool's CPU seconds per thousand requests.
//   node bench/accuracy.mjs [--stack stacks/gunicorn-flask] [--connections 50] [--seconds 10] [--rounds 3]
//                           [--client native|autocannon]
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { f, loadgate, median, up, wrk } from "./lib.mjs";

const { values } = parseArgs({
  options: {
    stack: { type: "string", default: "stacks/gunicorn-flask" },
    connections: { type: "string", default: "50" },
    seconds: { type: "string", default: "10" },
    rounds: { type: "string", default: "6" },
    client: { type: "string", default: "native" },
  },
});
const c = Number(values.connections);
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);

const stack = await up(values.stack);
const rows = [];
try {
  console.error(`stack up at ${stack.url}; warming it up for 20 s with wrk`);
  await wrk(stack.url, c, 20);
  const runLoadgate = async (i) => {
    const lg = await loadgate(
      [
        "--target",
        stack.url,
        "--client",
        values.client,
        "--connections",
        String(c),
        "--warmup",
        "2",
        "--duration",
        String(seconds),
        "--trials",
        "1",
      ],
      join(tmpdir(), `lg-accuracy-${i}.json`),
    );
    const t = lg.trials[0];
    return {
      p50: t.latency.p50,
      p99: t.latency.p99,
      rps: t.throughput,
      cpuPerK: (lg.cpu.seconds.loadgen / t.requests) * 1000,
      errors: t.errors.total,
    };
  };
  const runWrk = async () => {
    await wrk(stack.url, c, 2); // the same 2 s warmup loadgate has
    const w = await wrk(stack.url, c, seconds);
    return { p50: w.p50, p99: w.p99, rps: w.rps, cpuPerK: (w.cpuSeconds / w.requests) * 1000, errors: w.errors };
  };
  for (let i = 0; i < rounds; i++) {
    // Alternate which tool goes first (ABBA…), so drift of the stack does not favour one tool.
    let lgRow;
    let wRow;
    if (i % 2 === 0) {
      lgRow = await runLoadgate(i);
      wRow = await runWrk();
    } else {
      wRow = await runWrk();
      lgRow = await runLoadgate(i);
    }
    rows.push({ lg: lgRow, wrk: wRow });
    console.error(
      `round ${i + 1}: loadgate p50 ${f(lgRow.p50)} p99 ${f(lgRow.p99)} ms ${f(lgRow.rps, 0)} req/s | wrk p50 ${f(wRow.p50)} p99 ${f(wRow.p99)} ms ${f(wRow.rps, 0)} req/s`,
    );
  }
} finally {
  await stack.stop();
}

// The stack drifts between rounds, so the ratio is taken within each round (adjacent runs) and
// summarized by its median and range.
const ratios = (k) => rows.map((r) => r.lg[k] / r.wrk[k]).sort((a, b) => a - b);
const ratio = (k) => median(ratios(k));
console.log(
  `\nbench/accuracy on ${cpus()[0].model} (${cpus().length} CPUs), ${values.stack}, client ${values.client}, ${c} connections, ${rounds} × ${seconds} s each`,
);
console.log("metric                      loadgate       wrk   loadgate/wrk (median of rounds, range)   target");
const line = (name, k, target, d = 3) =>
  console.log(
    `${name.padEnd(26)} ${f(median(rows.map((r) => r.lg[k])), d).padStart(9)} ${f(median(rows.map((r) => r.wrk[k])), d).padStart(9)}   ${f(ratio(k), 3).padStart(12)} (${f(ratios(k)[0], 2)}–${f(ratios(k).at(-1), 2)})${" ".repeat(14)}${target}`,
  );
line("P50 (ms, median)", "p50", "0.90–1.10");
line("P99 (ms, median)", "p99", "0.90–1.10");
line("throughput (req/s, median)", "rps", "≥ 0.95", 0);
line("CPU s per 1000 requests", "cpuPerK", "–", 4);
