// bench/client-overhead: is loadgate's load client ever the bottleneck? Against an nginx that answers
// a fixed 48-byte JSON body itself, 32 connections, 10 s: loadgate's native client against `wrk` at one
// thread each, then loadgate at each thread count up to the CPUs and the best of them against wrk with
// the same threads. Prints throughput and P99 of both, the ratios loadgate/wrk, and CPU seconds per 1000
// requests (loadgate: its process CPU time over the measured trial; wrk: the shell's `times`).
//   node bench/client-overhead.mjs [--connections 32] [--seconds 10] [--max-threads <CPUs>]
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { f, loadgate, wrk } from "./lib.mjs";

const { values } = parseArgs({
  options: {
    connections: { type: "string", default: "32" },
    seconds: { type: "string", default: "10" },
    "max-threads": { type: "string", default: String(cpus().length) },
  },
});
const connections = Number(values.connections);
const seconds = Number(values.seconds);
const port = await new Promise((resolve) => {
  const s = createServer().listen(0, "127.0.0.1", () => {
    const p = s.address().port;
    s.close(() => resolve(p));
  });
});
const dir = mkdtempSync(join(tmpdir(), "lg-overhead-"));
writeFileSync(
  join(dir, "nginx.conf"),
  `daemon off; worker_processes 1; pid ${dir}/nginx.pid; error_log stderr warn;
events { worker_connections 4096; }
http { access_log off; client_body_temp_path ${dir}; proxy_temp_path ${dir}; fastcgi_temp_path ${dir}; uwsgi_temp_path ${dir}; scgi_temp_path ${dir};
  server { listen 127.0.0.1:${port}; location / { default_type application/json; return 200 '{"a": "0000000042", "b": "abcdefghijklmnopqrst"}'; } } }
`,
);
const nginx = spawn("nginx", ["-p", `${dir}/`, "-c", join(dir, "nginx.conf"), "-e", "stderr"], { stdio: "inherit" });
await new Promise((r) => setTimeout(r, 500));
const url = `http://127.0.0.1:${port}/test`;

async function lg(threads) {
  const args = ["--target", url, "--connections", String(connections), "--load-threads", String(threads)];
  const r = await loadgate(
    [...args, "--warmup", "1", "--duration", String(seconds), "--trials", "1"],
    join(dir, `lg-${threads}.json`),
  );
  const t = r.trials[0];
  return { rps: t.throughput, p99: t.latency.p99, cpuPerK: (r.cpu.seconds.loadgen / t.requests) * 1000 };
}
async function w(threads) {
  const r = await wrk(url, connections, seconds, threads);
  return { rps: r.rps, p99: r.p99, cpuPerK: (r.cpuSeconds / r.requests) * 1000 };
}

const rows = [];
try {
  const byThreads = [];
  for (let t = 1; t <= Number(values["max-threads"]); t++) {
    byThreads.push({ threads: t, ...(await lg(t)) });
    console.error(`loadgate, ${t} thread(s): ${f(byThreads.at(-1).rps, 0)} req/s, P99 ${f(byThreads.at(-1).p99)} ms`);
  }
  const one = { setting: "1 thread each", threads: 1, lg: byThreads[0], wrk: await w(1) };
  rows.push(one);
  // The best row: loadgate's best thread count against wrk with as many (the first row's wrk when it is 1).
  const best = byThreads.reduce((a, b) => (b.rps > a.rps ? b : a));
  const wrkBest = best.threads === 1 ? one.wrk : await w(best.threads);
  rows.push({ setting: `best: ${best.threads} thread(s) each`, threads: best.threads, lg: best, wrk: wrkBest });
} finally {
  nginx.kill("SIGQUIT");
}
console.log(
  `\nbench/client-overhead on ${cpus()[0].model} (${cpus().length} CPUs), nginx (1 worker) returning a fixed body, ${connections} connections, ${seconds} s`,
);
console.log(
  "setting                  loadgate req/s   wrk req/s   ratio   loadgate P99   wrk P99   P99 ratio   CPU s/1000 loadgate / wrk",
);
for (const r of rows)
  console.log(
    `${r.setting.padEnd(24)} ${f(r.lg.rps, 0).padStart(14)} ${f(r.wrk.rps, 0).padStart(11)} ${f(r.lg.rps / r.wrk.rps, 2).padStart(7)} ${f(r.lg.p99).padStart(11)} ms ${f(r.wrk.p99).padStart(6)} ms ${f(r.lg.p99 / r.wrk.p99, 2).padStart(11)}   ${f(r.lg.cpuPerK, 4)} / ${f(r.wrk.cpuPerK, 4)}`,
  );
console.log("goal: ratio ≥ 0.80 and P99 ratio ≤ 2.00 at one thread");
