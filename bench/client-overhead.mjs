// bench/client-overhead: how many requests per second each load generator can send from one core,
// against an nginx that answers a fixed 48-byte JSON body itself (so the server is not the limit).
// Prints requests/s and CPU seconds per 1000 requests for loadgate's native client, autocannon, wrk.
//   node bench/client-overhead.mjs [--connections 50] [--seconds 5]
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { f, loadgate, wrk } from "./lib.mjs";

const { values } = parseArgs({
  options: { connections: { type: "string", default: "50" }, seconds: { type: "string", default: "5" } },
});
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
const rows = [];
try {
  for (const client of ["native", "autocannon"]) {
    const r = await loadgate(
      [
        "--target",
        url,
        "--client",
        client,
        "--connections",
        values.connections,
        "--warmup",
        "1",
        "--duration",
        values.seconds,
        "--trials",
        "1",
      ],
      join(dir, `${client}.json`),
    );
    rows.push({
      tool: `loadgate --client ${client}`,
      rps: r.trials[0].throughput,
      cores: r.cpu.loadGeneratorCores,
      cpuPerK: (r.cpu.seconds.loadgen / r.trials[0].requests) * 1000,
    });
  }
  const w = await wrk(url, Number(values.connections), Number(values.seconds));
  rows.push({
    tool: "wrk -t1",
    rps: w.rps,
    cores: w.cpuSeconds / Number(values.seconds),
    cpuPerK: (w.cpuSeconds / w.requests) * 1000,
  });
} finally {
  nginx.kill("SIGQUIT");
}
console.log(
  `\nbench/client-overhead on ${cpus()[0].model} (${cpus().length} CPUs), nginx returning a fixed body, ${values.connections} connections, ${values.seconds} s`,
);
console.log("client                        req/s   cores used   CPU s per 1000 requests");
for (const r of rows)
  console.log(
    `${r.tool.padEnd(28)} ${f(r.rps, 0).padStart(7)}   ${f(r.cores, 2).padStart(10)}   ${f(r.cpuPerK, 4).padStart(10)}`,
  );
