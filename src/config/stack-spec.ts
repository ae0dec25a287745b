// The validated, defaulted form of one stack file. Paths are absolute.

import type { Gate } from "../compare/gate.js";

export interface RequestSpec {
  path: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
}

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
 * The work count's defaults: 4 chunks of 50 requests. Four chunks show a count that wanders; 200
 * requests one at a time take a few seconds on the tiny stack (docs/work.md).
 */
export const WORK_DEFAULTS = Object.freeze({ chunks: 4, chunkRequests: 50 });

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
  /** capacity.max-probes: the most probes of one capacity search. */
  capacityMaxProbes: 8,
  /** capacity.probe-warmup and capacity.probe-duration: each probe's warmup and measured window. */
  capacityProbeWarmupSeconds: 1,
  capacityProbeSeconds: 3,
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
    /**
     * app.pass-env: variables of loadgate's own environment the app and its setup commands also get
     * (beyond the allowlist of src/child-env.ts), by exact name; unset ones are left out.
     */
    passEnv: string[];
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
    /** false: a new TCP connection for every request, as ApacheBench without -k (load.keepalive). */
    keepalive: boolean;
    /** load.total-requests: the trials are this many requests in all (equal shares) instead of timed; null: timed. */
    totalRequests: number | null;
    /** Give the load generator its own CPU (like --pin). */
    pin: boolean;
    /** The load client's worker threads, or auto (like --load-threads). */
    threads: number | "auto";
  };
  /** The stack file's own gate, before flags and inputs (the plan's StackPlan.gate is the final one). */
  gate: Gate;
  cost: CostSpec;
  /** The work count (docs/work.md); null: `work: false`. */
  work: { chunks: number; chunkRequests: number } | null;
  /** The capacity search's SLO (null when the stack file gives none), probe bound and probe windows. */
  capacity: { sloP99Ms: number | null; maxProbes: number; probeWarmupSeconds: number; probeSeconds: number };
  /** Line of each top-level key and some nested ones, for annotations that point into the file. */
  lines: Record<string, number>;
}
