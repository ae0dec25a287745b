import { buildEnvironment } from "../../src/result/environment.js";
import type { StackResult, Trial } from "../../src/result/types.js";
import { summarizeTrials } from "../../src/stats/summary.js";

export function trial(index: number, throughput: number, p99: number, p50 = p99 / 3): Trial {
  return {
    index,
    seconds: 10,
    requests: throughput * 10,
    throughput,
    latency: { p50, p90: (p50 + p99) / 2, p99, p999: p99 * 1.5, max: p99 * 2, mean: p50, stdev: p50 / 2 },
    errors: { connection: 0, timeouts: 0, non2xx: 0, total: 0 },
    errorRate: 0,
  };
}

export function result(
  values: { throughput: number; p99: number }[],
  env: Partial<{ cpuModel: string; stackFileHash: string; postgresql: string }> = {},
): StackResult {
  const trials = values.map((v, i) => trial(i, v.throughput, v.p99));
  return {
    stack: { name: "demo", file: "stacks/demo/stack.yml", webserver: "Gunicorn", framework: "Flask" },
    workers: 4,
    environment: buildEnvironment({
      cpuModel: env.cpuModel ?? "Test CPU",
      logicalCores: 4,
      memoryBytes: 8 * 2 ** 30,
      kernel: "6.1",
      os: "Debian GNU/Linux 12 (bookworm)",
      arch: "x64",
      versions: { node: "v20", postgresql: env.postgresql ?? "15.18" },
      stackFileHash: env.stackFileHash ?? "abc",
    }),
    load: {
      target: "nginx",
      mode: "closed-loop",
      connections: 50,
      rate: null,
      warmupSeconds: 5,
      durationSeconds: 10,
      trials: values.length,
    },
    trials,
    summary: summarizeTrials(trials),
    cpu: null,
    placement: { pinned: false, loadGenerator: "0-3", stack: "0-3" },
    warnings: [],
  };
}

/** n trials around a centre with a small deterministic spread (±1%). */
export function around(throughput: number, p99: number, n = 5) {
  const wiggle = [0, 0.01, -0.01, 0.005, -0.005, 0.008, -0.008, 0.003, -0.003, 0];
  return Array.from({ length: n }, (_, i) => ({
    throughput: throughput * (1 + wiggle[i % wiggle.length]),
    p99: p99 * (1 - wiggle[(i + 3) % wiggle.length]),
  }));
}
