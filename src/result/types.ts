// The Result document: the only thing that crosses from measuring to comparing and reporting.
// Latencies are milliseconds (floats, microsecond resolution); throughput is requests per second.

/**
 * 2: the schema types every field a report reads (schema/result.schema.json). A document of the
 * previous version has the same shape; it is read (migrated) when it passes the checks of this one.
 */
export const SCHEMA_VERSION = 2;
export const PREVIOUS_SCHEMA_VERSION = 1;

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
  /** Connection errors: refused, reset or closed before an answer, or no connection within the timeout. */
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
  /** Set by input baseline-key: the id then hashes this name and the stack file, not the machine. */
  baselineKey?: string;
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
  /** The load client's worker threads (absent in Results written before threads: 1). */
  threads?: number;
  /** false: a new connection for every request (load.keepalive: false, --no-keepalive); absent: connections kept open. */
  keepalive?: false;
  /** load.total-requests: the trials were this many requests in all (each trial's `seconds` as it lasted); absent: timed trials. */
  totalRequests?: number;
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
  /** `loadgate capacity`: the highest open-loop rate within the P99 SLO with no errors. */
  capacity?: CapacityRecord;
  /** workers: auto: the sweep that chose `workers`. */
  sweep?: SweepRecord;
  /** The cost run (the app counted under valgrind), when it was on. */
  cost?: CostRecord;
  /** The work count (the database work each request does), when it was on. */
  work?: WorkRecord;
  /** Baselines only: the default branch's previous baselines of this stack, oldest first (at most 20). */
  history?: HistoryPoint[];
}

/** Capacity at an SLO: the probes of the bounded search and its answer. */
export interface CapacityRecord {
  sloP99Ms: number;
  /** The highest rate (req/s) that passed; 0 when none did. */
  rate: number;
  /** The closed-loop throughput the search started from. */
  closedLoopThroughput: number;
  probes: { rate: number; achieved: number; p99: number; errors: number; pass: boolean }[];
  reason: string;
  seconds: number;
}

/** The worker sweep: each count tried (one short trial on a fresh stack), the count chosen and why it stopped. */
export interface SweepRecord {
  points: { workers: number; throughput: number; p99: number; seconds: number }[];
  chosen: number;
  reason: string;
  seconds: number;
  /** Set when the count came from elsewhere instead (the base of an A/B, or the baseline). */
  reusedFrom?: string;
}

/**
 * The app's instructions per request, counted under valgrind (callgrind) with one worker and
 * requests sent one at a time: after `warmupRequests`, `chunks.length` chunks of `chunkRequests`
 * each, every chunk's count taken from a callgrind dump of every process under valgrind.
 */
export interface CostRecord {
  tool: "callgrind";
  /** `valgrind --version`, e.g. "valgrind-3.19.0". */
  valgrind: string;
  /** The command counted (placeholders filled). */
  command: string;
  warmupRequests: number;
  chunkRequests: number;
  /** Pause after each answer before the next request (seconds). Absent in the first records. */
  gapSeconds?: number;
  /** Instructions per request of each chunk, summed over the app's processes (the replicates the verdict uses). */
  chunks: number[];
  /** Median of `chunks`. */
  perRequest: number;
  /** Robust spread of the chunks: 1.4826 × MAD / median (0.002 = 0.2%). */
  spread: number;
  /** Per process under valgrind: its pid, what it ran, its instructions per request per chunk. */
  processes: { pid: number; command: string; chunks: number[] }[];
  /** Instructions per second the app spends while idle (its own timers); 0 when it sleeps. */
  idlePerSecond: number;
  /** Seconds each chunk took (valgrind's slowdown included). */
  chunkSeconds: number[];
  /** Wall time of the whole cost run, from bringing the stack up to taking it down. */
  seconds: number;
  /** What must match for two cost records to be compared (see docs/verdicts.md, "Across machines"). */
  fingerprint: CostFingerprint;
  warnings: string[];
}

/** The inputs that decide an instruction count, apart from the app's code: compared across runners. */
export interface CostFingerprint {
  arch: string;
  valgrind: string;
  /** The runtime under the app's code: glibc and the interpreter (Python), when there is one. */
  versions: Record<string, string>;
  /** The canned CPU valgrind presents to the app (glibc and OpenSSL pick code paths by it), e.g. "amd64-avx2". */
  guestCpu: string;
}

/** The counts of the work count, per request; null where the stack cannot count it (see WorkRecord.unavailable). */
export interface WorkCounts {
  /** Top-level SQL statements other than transaction control: what gate.statements judges. */
  statements: number | null;
  /** Top-level transaction and session control: BEGIN, COMMIT, ROLLBACK, SET, SHOW, DISCARD, … */
  control: number | null;
  /** Statements run inside others (functions, procedures, triggers). */
  nested: number | null;
  /** Rows returned or affected by the top-level statements. */
  rows: number | null;
  /** Shared buffer pages the top-level statements touched (hit + read). */
  pages: number | null;
  /** Transactions (PgBouncer's count of the app's transactions). */
  transactions: number | null;
  /** Connections the app opened: to PgBouncer when there is one, else to PostgreSQL. */
  connections: number | null;
  /** Sessions PostgreSQL started for the app's role (from PgBouncer too). */
  serverConnections: number | null;
  /** Response bytes (the body, as the load client read it). */
  responseBytes: number;
}

export type WorkMetric = keyof WorkCounts;

/** One statement of the app's role, by its normalized text: its totals over the counted requests, per request. */
export interface WorkStatement {
  /** pg_stat_statements' queryid, as text (a 64-bit number). */
  queryid: string;
  /** The normalized text (constants as $1, …), cut to 500 characters. */
  text: string;
  toplevel: boolean;
  control: boolean;
  calls: number;
  rows: number;
  pages: number;
}

/**
 * The database work each request does, counted exactly: after the timed trials, pg_stat_statements
 * reset, a fixed request sequence sent one at a time through the stack's front (every answer 2xx), in
 * chunks, and the app role's statements, rows and pages read after each chunk; connections from the
 * logins PgBouncer and PostgreSQL log. Per request values.
 */
export interface WorkRecord {
  chunkRequests: number;
  /** Each chunk's counts per request (the replicates the verdict uses). */
  chunks: WorkCounts[];
  /** The median of the chunks per count. */
  perRequest: WorkCounts;
  /** Per count: the highest chunk minus the lowest (0 where the chunks agree: exact). */
  spread: Partial<Record<WorkMetric, number>>;
  /** The app role's statements per request over all chunks, the most called first (at most 20). */
  statements: WorkStatement[];
  /** Statements left out of `statements` (beyond the first 20). */
  statementsOmitted: number;
  /** Per count that could not be counted: why not. */
  unavailable: Partial<Record<WorkMetric, string>>;
  /** PostgreSQL's major version; null without a database. */
  postgresMajor: number | null;
  /** sha256 of every table's name and exact row count when the app started: two counts compare only on the same data. */
  dataHash: string | null;
  /**
   * Rows the app's INSERT, UPDATE, DELETE, MERGE and COPY … FROM statements changed, per request;
   * 0: the app wrote nothing, its data is the data it started with. Null without a database; absent
   * in Results written before it was counted (taken as written).
   */
  rowsWritten?: number | null;
  /** Wall time of the work count. */
  seconds: number;
  warnings: string[];
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
  /** The work rows' baseline commit, when it is not the timings' (the newest baseline of any runner). */
  workBaselineLabel?: string;
  baseline: StackResult | null;
  comparison: unknown;
  trend?: string;
}
