// Shared helpers of the benchmarks: start `loadgate up`, run the CLI, run wrk. Not part of the product.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
export const CLI = join(ROOT, "dist/cli.js");

export function run(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], ...options });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
      if (options.echo) process.stderr.write(d);
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Starts `loadgate up <stack>` and resolves with its URL and a stop() once it prints "ready <url>". */
export function up(stack, extra = []) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, "up", stack, "--install", ...extra], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      const m = /ready (\S+)/.exec(out);
      if (m) {
        resolve({
          url: m[1],
          stop: () =>
            new Promise((r) => {
              child.once("close", r);
              child.kill("SIGINT");
            }),
        });
      }
    });
    child.on("close", (code) => reject(new Error(`loadgate up exited with ${code} before it was ready`)));
  });
}

/** One loadgate measurement; returns the Result's first stack result. */
export async function loadgate(args, jsonFile, env = {}) {
  const r = await run(process.execPath, [CLI, "run", ...args, "--json", jsonFile], { env: { ...process.env, ...env } });
  if (r.code !== 0) throw new Error(`loadgate ${args.join(" ")} failed (${r.code}):\n${r.stderr.slice(-2000)}`);
  return JSON.parse(readFileSync(jsonFile, "utf8")).results[0];
}

function wrkMs(text) {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text);
  if (!m) return Number.NaN;
  const n = Number(m[1]);
  return { us: n / 1000, ms: n, s: n * 1000, m: n * 60000 }[m[2]];
}

/** wrk --latency (1 thread unless `threads`); CPU seconds of wrk itself from the shell's `times`. */
export async function wrk(url, connections, seconds, threads = 1) {
  const script = `wrk --latency -t${threads} -c${connections} -d${seconds}s ${url}; times`;
  const r = await run("bash", ["-c", script]);
  if (r.code !== 0) throw new Error(`wrk failed: ${r.stderr}`);
  const p = (q) => wrkMs(new RegExp(`^\\s+${q}%\\s+(\\S+)`, "m").exec(r.stdout)?.[1] ?? "");
  const requests = Number(/(\d+) requests in/.exec(r.stdout)?.[1]);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(r.stdout)?.[1]);
  const times = r.stdout.trim().split("\n").slice(-1)[0].split(/\s+/);
  const sec = (t) => {
    const mm = /(\d+)m([\d.]+)s/.exec(t);
    return mm ? Number(mm[1]) * 60 + Number(mm[2]) : 0;
  };
  const errors = /Non-2xx or 3xx responses: (\d+)/.exec(r.stdout)?.[1] ?? "0";
  return { p50: p(50), p99: p(99), rps, requests, cpuSeconds: sec(times[0]) + sec(times[1]), errors: Number(errors) };
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
export const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
export const cv = (xs) => {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, v) => a + (v - m) ** 2, 0) / (xs.length - 1)) / m;
};
export const f = (n, d = 3) => (Number.isFinite(n) ? n.toFixed(d) : "–");
