// The validated, defaulted form of one stack file. Paths are absolute.

export interface RequestSpec {
  path: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
}

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
    python: null | { requirements: string; interpreter: string };
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
  gate: { p99: number; throughput: number };
  /** Line of each top-level key and some nested ones, for annotations that point into the file. */
  lines: Record<string, number>;
}
