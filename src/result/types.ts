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
  /** Closed loop: from send to response. Open loop: from the intended send time (corrected for coordinated omission). */
  latency: LatencyStats;
  /** Open loop only: from the actual send time; hides stalls, shown beside the corrected figure. */
  latencyUncorrected?: LatencyStats;
  errors: ErrorCounts;
  /** errors.total / (requests + errors.total) */
  errorRate: number;
  /**
   * Successful responses above the trial's P99: requests − ceil(0.99 × requests), the rank the
   * P99 is read at. Its precision rests on these; under 20 the stack gets a warning. Absent in
   * Results written before it was recorded (derive it from `requests`).
   */
  tail?: { p99: number };
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
  /**
   * Percentiles of all measured trials' responses together, from their merged histograms (exact).
   * Shown beside the median of the trials' P99s; the medians stay the headline, since per-trial
   * values can be paired and their spread is known. Absent in older Results and where the
   * histograms were not at hand.
   */
  pooled?: PooledSummary;
}

export interface PooledSummary {
  /** Measured trials pooled. */
  trials: number;
  /** Successful responses in all of them. */
  requests: number;
  latency: { p50: number; p90: number; p99: number; p999: number; max: number };
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
  /** What the load was aimed at: "nginx", "app", or the --target URL. */
  target: string;
  mode: "closed-loop" | "open-loop";
  connections: number;
  rate: number | null;
  warmupSeconds: number;
  durationSeconds: number;
  trials: number;
}

export interface CpuAccount {
  wallSeconds: number;
  cores: number;
  /** CPU seconds per component (process group), the load generator (`loadgen`) and everything else (`other`). */
  seconds: Record<string, number>;
  /** Share of the whole machine: seconds / (wall × cores). */
  share: Record<string, number>;
  /** Load generator CPU seconds per wall second (1.0 = one full core). */
  loadGeneratorCores: number;
}

export interface Placement {
  pinned: boolean;
  /** CPUs the load generator may use, e.g. "0". */
  loadGenerator: string;
  /** CPUs the stack may use, e.g. "1-3". */
  stack: string;
}

export interface StackResult {
  stack: StackInfo;
  workers: number | null;
  environment: Environment;
  load: LoadSettings;
  trials: Trial[];
  summary: Summary;
  /** Where the CPU went during the measured trials. */
  cpu: CpuAccount | null;
  placement: Placement;
  warnings: string[];
  /** Baselines only: the default branch's previous baselines of this stack, oldest first (at most 20). */
  history?: HistoryPoint[];
}

/** One past baseline of the default branch, kept in each new baseline so run-to-run spread is known. */
export interface HistoryPoint {
  sha: string;
  createdAt: string;
  throughput: number;
  p50: number;
  p99: number;
}

export interface ResultDocument {
  schemaVersion: typeof SCHEMA_VERSION;
  tool: { name: "loadgate"; version: string };
  createdAt: string;
  /** The commit measured, when known (the Action fills it in). */
  commit?: { sha: string; ref: string };
  /** Set by the Action on pull requests, so a separate workflow can post the comment (fork pattern). */
  pullRequest?: { number: number; repository: string };
  results: StackResult[];
  /** Set by the Action in gate mode: the verdicts per stack, so `mode: report` can post them later. */
  reports?: SavedReport[];
}

/** A stack's verdict as carried inside a Result document (the comparison's shape, kept loose here). */
export interface SavedReport {
  stack: string;
  baselineLabel: string | null;
  baseline: StackResult | null;
  comparison: unknown;
  trend?: string;
}
