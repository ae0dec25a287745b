import type { StackPlan } from "../config/plan.js";
import { StackError } from "../errors.js";
import { type AppContext, appPart } from "./app.js";
import type { DbCredentials } from "./db-auth.js";
import { newLaunch, type StackPart, tearDown, type Wiring } from "./launch.js";
import { type NginxContext, nginxPart } from "./nginx.js";
import { pgbouncerPart } from "./pgbouncer.js";
import { type PostgresContext, postgresPart } from "./postgres.js";
import { type Component, lastLines } from "./process-group.js";
import { explainFullDisk } from "./run-folder.js";

export { type Orphan, RUN_MARKER } from "./launch.js";
export { type DatabaseTemplate, seedDatabaseTemplate, type TemplateContext } from "./postgres.js";
export { explainFullDisk } from "./run-folder.js";

export interface StackContext extends PostgresContext, AppContext, NginxContext {}

export interface RunningStack {
  readonly runId: string;
  readonly runDir: string;
  /** Where the load goes: nginx, or the app when proxy is none. */
  readonly url: string;
  readonly ports: Record<string, number>;
  readonly components: readonly Component[];
  /**
   * The database as the app sees it, once PostgreSQL is up: `url` is {database_url} (PgBouncer's
   * when it is in front), `postgresUrl` PostgreSQL's own, both with the app role's password.
   */
  readonly database?: {
    url: string;
    postgresUrl: string;
    credentials: DbCredentials;
    /** sha256 of every table's name and row count when the app started (the work count's dataHash). */
    fingerprint: string;
  };
  /** Throws when a component has exited since it became ready. */
  assertAlive(): void;
  /**
   * The load's watchdog fired: no response for `seconds` while every component is still running. A
   * StackError naming the app (the usual culprit: a server that logged a fatal error and stayed up),
   * its pid and its log tail, read now, before the stack goes down.
   */
  stoppedAnswering(seconds: number, requestTimeoutSeconds: number): StackError;
  /**
   * Stops everything; throws StackError naming orphans when a process or port was left behind.
   * The run folder (logs) is removed unless `keepLogs`, which a failed run asks for.
   */
  down(keepLogs?: boolean): Promise<void>;
}

/** The order components start in; each may use what the ones before it wired (ports, database URL). */
const PARTS: readonly StackPart<StackContext>[] = [postgresPart, pgbouncerPart, appPart, nginxPart];

/** Brings the stack up in order PostgreSQL → PgBouncer → app → nginx. On any failure it stops what it started. */
export async function bringUp(plan: StackPlan, ctx: StackContext): Promise<RunningStack> {
  const launch = newLaunch(plan.spec.name, ctx);
  const { runId, runDir, ports, components } = launch;

  let downDone: Promise<void> | undefined;
  const wiring: Wiring = { databaseUrl: "" };
  const stack: RunningStack = {
    runId,
    runDir,
    get url() {
      const port = ports.nginx ?? ports.app;
      return `http://127.0.0.1:${port}`;
    },
    ports,
    components,
    get database() {
      const { credentials, postgresUrl, databaseUrl, dataFingerprint } = wiring;
      return credentials && postgresUrl
        ? { url: databaseUrl, postgresUrl, credentials, fingerprint: dataFingerprint ?? "" }
        : undefined;
    },
    assertAlive() {
      for (const c of components) {
        if (!c.running && !c.stopping) throw c.failure(`${c.describeExit()} during the load`);
      }
    },
    stoppedAnswering(seconds, requestTimeoutSeconds) {
      const app = components.find((c) => c.name === "app");
      const nginx = components.find((c) => c.name === "nginx");
      const advice = `loadgate stopped the stack. A server that logs a fatal internal error and stays up without answering (a deadlocked worker, a master that does not replace a dead one) looks like this: the cause should be in the log below. If the app's requests legitimately take longer than load.timeout (${requestTimeoutSeconds} s), give it a longer load.timeout`;
      if (!app) return new StackError(`the stack stopped answering: no response for ${seconds} s. ${advice}.`);
      const via = nginx ? ` behind nginx (pid ${nginx.pid}, also running)` : "";
      return app.failure(
        `stopped answering: no response for ${seconds} s while it is still running (pid ${app.pid})${via}. ${advice}`,
      );
    },
    down: async (keepLogs = false) => {
      if (downDone) return downDone;
      // Logs are kept for a failure to point at; an interrupted run (Ctrl-C, a cancelled job) leaves nothing.
      downDone = tearDown(launch, keepLogs && !ctx.signal?.aborted ? "data" : "all");
      return downDone;
    },
  };

  try {
    for (const part of PARTS) if (part.wanted(plan)) await part.start(plan, ctx, launch, wiring);
    ctx.log(
      `up: ${Object.entries(ports)
        .map(([n, p]) => `${n} 127.0.0.1:${p}`)
        .join(", ")}`,
    );
    return stack;
  } catch (err) {
    // Before the stack goes down: removing the database's files frees the space again.
    const explained = explainFullDisk(err, runDir);
    await stack.down(true).catch((downErr) => ctx.log(String((downErr as Error).message ?? downErr)));
    throw explained;
  }
}

/** The last lines of the app's log (before the stack is brought down), for a failure message. */
export function appLogTail(stack: RunningStack, lines = 20): { file: string; text: string } | undefined {
  const app = stack.components.find((c) => c.name === "app");
  return app ? { file: app.logFile, text: lastLines(app.logFile, lines) } : undefined;
}
