// The validated, defaulted form of one stack file. Paths are absolute.

export interface RequestSpec {
  path: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
}

/** The stack file's `gate`, as fractions. */
export interface GateSpec {
  /** How much P99 may grow: 0.10 for "+10%"; null: no relative P99 limit (an SLO alone). */
  p99: number | null;
  /** How much throughput may drop: -0.05 for "-5%"; null: no relative throughput limit (an SLO alone). */
  throughput: number | null;
  /** Absolute SLOs, k6-style: P99 below `p99Ms` ("<50ms"), throughput above `throughput` (">1000/s"). */
  slo: Slo;
  /** The most requests (connection errors, timeouts, non-2xx) that may fail: 0.01 for "<1%". */
  errorRate: number;
  /**
   * How much the app's instructions per request may grow: 0.01 for "+1%". null: no cost gate (the
   * cost run is off unless --cost or the Action's `cost` input turns it on, with DEFAULT_COST_LIMIT).
   */
  cost: number | null;
  /** Capacity at the SLO: a relative drop allowed against the baseline, or a floor; null: no capacity gate. */
  capacity: CapacityGate | null;
}

export interface Slo {
  p99Ms: number | null;
  throughput: number | null;
}

export const NO_SLO: Readonly<Slo> = Object.freeze({ p99Ms: null, throughput: null });

export type CapacityGate = { kind: "drop"; limit: number } | { kind: "floor"; rate: number };

/** The cost run's settings: the stack file's `cost` section with its defaults. */
export interface CostSpec {
  /** The app's command for the cost run; null: app.command with {workers} = 1. */
  command: string | null;
  env: Record<string, string>;
  warmupRequests: number;
  chunks: number;
  chunkRequests: number;
  readyTimeoutSeconds: number;
  requestTimeoutSeconds: number;
  /** Pause after each answer, so every request finds the app idle (the same code path each time). */
  gapSeconds: number;
}

/**
 * The cost run's defaults: 100 warmup requests, then 10 counted chunks of 100 (bench/cost-power:
 * chunks of 100 repeat within a few tenths of a percent after the first hundred requests).
 */
export const COST_DEFAULTS = Object.freeze({
  warmupRequests: 100,
  chunks: 10,
  chunkRequests: 100,
  readyTimeoutSeconds: 180,
  requestTimeoutSeconds: 60,
  gapSeconds: 0.005,
});

/**
 * What a stack file that leaves these out gets (load.*, app.workers); a --target run's load too.
 * `loadgate <command> --help` shows them.
 */
export const STACK_DEFAULTS = Object.freeze({
  warmupSeconds: 5,
  durationSeconds: 10,
  trials: 5,
  connections: 100,
  timeoutSeconds: 10,
  workers: 1,
});

/** The gate when the stack file has none (and for a Result with no stack file at hand). */
export const DEFAULT_GATE: Readonly<GateSpec> = Object.freeze({
  p99: 0.1,
  throughput: -0.05,
  slo: NO_SLO,
  errorRate: 0.01,
  cost: null,
  capacity: null,
});

/** One setup command of the stack file, with where it was written (for errors that point at it). */
export interface SetupCommand {
  command: string;
  timeoutSeconds: number;
  /** Line of the command in the stack file. */
  line: number;
}

/** `app.setup`: a build step run once before the stack comes up, skipped while its key files are unchanged. */
export interface AppSetup extends SetupCommand {
  /**
   * Files and folders (absolute) whose bytes, with the command, key the cache. Empty: no cache, the
   * command runs before every bring-up (a plain-text `app.setup`).
   */
  files: string[];
  /** Paths (absolute) the command makes: when one is missing the command runs again, key or not. */
  creates: string[];
}

/** Default bound on one setup command (app.setup, each database.setup command). */
export const SETUP_TIMEOUT_SECONDS = 600;

export interface StackSpec {
  name: string;
  description: string;
  /** Absolute path of the stack file and its folder. */
  file: string;
  dir: string;
  /** sha256 of the stack file's bytes. */
  fileHash: string;
  database: null | {
    schema: string | null;
    seed: string | null;
    prewarm: boolean;
    settings: Record<string, string>;
    /**
     * Commands run after the schema SQL and before the seed SQL (migrations, fixtures), with
     * {database_url} and DATABASE_URL pointing at PostgreSQL itself, not PgBouncer.
     */
    setup: SetupCommand[];
  };
  pooler: null | { poolMode: "session" | "transaction" | "statement"; defaultPoolSize: number; maxClientConn: number };
  proxy: null | { workerProcesses: number | "auto"; keepalive: number; upstream: "http" | "uwsgi" };
  app: {
    command: string;
    webserver: string;
    framework: string;
    workers: number | "auto";
    cwd: string;
    env: Record<string, string>;
    ready: { http: string; timeoutSeconds: number };
    setup: AppSetup | null;
    python: null | {
      requirements: string;
      interpreter: string;
      /** Installed after the requirements with --no-deps --no-build-isolation (meinheld 1.0.2's greenlet<0.5 pin). */
      noDeps: string[];
    };
  };
  load: {
    requests: RequestSpec[];
    connections: number;
    rate: number | null;
    warmupSeconds: number;
    durationSeconds: number;
    trials: number;
    timeoutSeconds: number;
    /** Give the load generator its own CPU (like --pin). */
    pin: boolean;
  };
  gate: GateSpec;
  cost: CostSpec;
  /** The capacity search's SLO (null when the stack file gives none) and probe bound. */
  capacity: { sloP99Ms: number | null; maxProbes: number };
  /** Line of each top-level key and some nested ones, for annotations that point into the file. */
  lines: Record<string, number>;
}
