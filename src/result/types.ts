// The Result document: the only thing that crosses from measuring to comparing and reporting.
// Latencies are milliseconds (floats, microsecond resolution); throughput is requests per second.

export const SCHEMA_VERSION = 1;

export interface LatencyStats {
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
  stdev: number;
}

export interface ErrorCounts {
  /** Connection errors (refused, reset) other than timeouts. */
  connection: number;
  timeouts: number;
  /** Responses whose status was not 2xx. */
  non2xx: number;
  /** connection + timeouts + non2xx */
  total: number;
}

export interface Trial {
  index: number;
  /** Seconds the trial's window lasted. */
  seconds: number;
  /** Successful (2xx) responses in the window. */
  requests: number;
  /** Successful responses per second. */
  throughput: number;
  latency: LatencyStats;
  errors: ErrorCounts;
  /** errors.total / (requests + errors.total) */
  errorRate: number;
}

export interface MetricSummary {
  median: number;
  /** Confidence interval of the median across trials (order statistics). */
  ci: { lo: number; hi: number; confidence: number };
  values: number[];
}

export interface Summary {
  throughput: MetricSummary;
  latency: {
    p50: MetricSummary;
    p90: MetricSummary;
    p99: MetricSummary;
    p999: MetricSummary;
    max: MetricSummary;
  };
  errorRate: MetricSummary;
  /** Total failed and non-2xx responses over all measured trials. */
  errors: number;
}

export interface Environment {
  /** Hash of the fields that decide whether two Results are comparable. */
  id: string;
  cpuModel: string;
  logicalCores: number;
  memoryBytes: number;
  kernel: string;
  os: string;
  arch: string;
  versions: Record<string, string>;
  stackFileHash: string;
}

export interface StackInfo {
  name: string;
  file: string;
  webserver: string;
  framework: string;
}

export interface LoadSettings {
  target: string;
  connections: number;
  rate: number | null;
  warmupSeconds: number;
  durationSeconds: number;
  trials: number;
}

export interface StackResult {
  stack: StackInfo;
  workers: number | null;
  environment: Environment;
  load: LoadSettings;
  trials: Trial[];
  summary: Summary;
  warnings: string[];
}

export interface ResultDocument {
  schemaVersion: typeof SCHEMA_VERSION;
  tool: { name: "loadgate"; version: string };
  createdAt: string;
  results: StackResult[];
}
