import { createHash } from "node:crypto";
import { join } from "node:path";
import type { StackPlan } from "../config/plan.js";
import { StackError } from "../errors.js";
import { execCapture } from "../exec.js";
import { type AppEnvContext, appEnvironment } from "./app-env.js";
import type { Binaries } from "./binaries.js";
import { clusterKey, copyCachedCluster, initdbArgs, keepCluster } from "./cluster-cache.js";
import { fillPlaceholders } from "./configs.js";
import {
  ADMIN_ROLE,
  APP_ROLE,
  appUrl,
  DB,
  type DbCredentials,
  GIVE_TO_APP_SQL,
  newCredentials,
  renderPgHba,
  setAppPasswordSql,
} from "./db-auth.js";
import { type Launch, type LaunchContext, newLaunch, type StackPart, startOnFreePort, tearDown } from "./launch.js";
import { type Component, lastLines, waitReady } from "./process-group.js";
import { psql } from "./psql.js";
import { explainFullDisk, removeTree, writeNewFile } from "./run-folder.js";
import type { RunUser } from "./run-user.js";
import { runSetupStep } from "./setup-step.js";

/** What PostgreSQL needs from the stack's context (database.setup runs with the app's environment). */
export interface PostgresContext extends LaunchContext, AppEnvContext {
  binaries: Binaries;
  /** A data directory made by seedDatabaseTemplate: start from a copy of it instead of initdb + schema + seed. */
  databaseTemplate?: string;
  /** Where fresh clusters are kept (src/stack/cluster-cache.ts); none: initdb every time. */
  clusterCache?: string;
}

/**
 * The run's PostgreSQL folder <run>/pg: the unprivileged user's, 0700, holding the data directory and
 * the Unix socket loadgate_admin connects through; pg_hba.conf beside it stays root's.
 */
function pgFolder(launch: Launch): { pgDir: string; data: string; hba: string } {
  const pgDir = launch.dir("pg", { mode: 0o700 });
  const hba = join(launch.runDir, "pg_hba.conf");
  writeNewFile(hba, renderPgHba());
  return { pgDir, data: join(pgDir, "data"), hba };
}

/** loadgate_admin on the socket in <run>/pg (no password: only the folder's owner and root get in). */
const admin = (pgDir: string, port: number) => ({ socketDir: pgDir, port });

const seconds = (ms: number) => `${(ms / 1000).toFixed(ms < 1000 ? 2 : 1)} s`;

async function initdb(bin: string, pgDir: string, data: string, user: RunUser | undefined): Promise<void> {
  const init = await execCapture(join(bin, "initdb"), initdbArgs(data, ADMIN_ROLE), {
    user,
    cwd: pgDir,
    env: { PATH: "/usr/bin:/bin", LC_ALL: "C" },
  });
  if (init.code !== 0)
    throw new StackError(
      `postgres: initdb failed (exit ${init.code}):\n${init.output.trim().split("\n").slice(-20).join("\n")}`,
    );
}

/**
 * A fresh cluster at folder.data: a copy of the cached one (src/stack/cluster-cache.ts), or initdb's,
 * then kept in the cache for the next start.
 */
async function freshCluster(ctx: PostgresContext, folder: { pgDir: string; data: string }, launch: Launch, label = "") {
  const bin = ctx.binaries.postgresBin!;
  const cache = ctx.clusterCache;
  const key = cache ? clusterKey(join(bin, "initdb"), ADMIN_ROLE) : "";
  if (cache && (await copyCachedCluster(cache, key, { data: folder.data, runDir: launch.runDir, user: ctx.user }))) {
    ctx.log(`fresh cluster${label}: a copy of initdb's in ${join(cache, key)}`);
    return;
  }
  ctx.log(`initdb${label}`);
  await initdb(bin, folder.pgDir, folder.data, ctx.user);
  if (!cache) return;
  const why = await keepCluster(cache, key, folder.data);
  if (why) ctx.log(`the fresh cluster was not kept in ${cache}: ${why}`);
}

/**
 * The work count's settings, after the stack's own: pg_stat_statements loaded (added to the stack's
 * shared_preload_libraries), nested statements tracked, and each login logged (the count of
 * connections the app opens; pg_stat_database.sessions reaches its view up to 10 s late).
 */
export function workSettings(own: Record<string, string>): Record<string, string> {
  const libraries = (own.shared_preload_libraries ?? "")
    .split(",")
    .map((l) => l.trim().replace(/^'(.*)'$/, "$1"))
    .filter((l) => l !== "");
  if (!libraries.includes("pg_stat_statements")) libraries.push("pg_stat_statements");
  return {
    shared_preload_libraries: libraries.join(","),
    "pg_stat_statements.track": "all",
    "pg_stat_statements.track_utility": "on",
    log_connections: "on",
  };
}

/** Starts the server on `data` on a fresh free port (launch.ports.postgres) and waits until it answers. */
async function startServer(
  plan: StackPlan,
  ctx: PostgresContext,
  launch: Launch,
  folder: { pgDir: string; data: string; hba: string },
  overrides: Record<string, string> = {},
) {
  const bin = ctx.binaries.postgresBin!;
  const { pgDir, data } = folder;
  const settings: Record<string, string> = {
    listen_addresses: "127.0.0.1",
    fsync: "off",
    synchronous_commit: "off",
    full_page_writes: "off",
    shared_buffers: "256MB",
    max_connections: "300",
    logging_collector: "off",
    ...plan.spec.database!.settings,
    ...(plan.work ? workSettings(plan.spec.database!.settings) : {}),
    // Who may log in, and how, is loadgate's: after the stack's own settings.
    unix_socket_directories: pgDir,
    hba_file: folder.hba,
    password_encryption: "scram-sha-256",
    ...overrides,
  };
  let pg: Component | undefined;
  await startOnFreePort(launch, "postgres", async (port) => {
    launch.ports.postgres = port;
    pg = await launch.start({
      name: "postgres",
      command: join(bin, "postgres"),
      args: ["-D", data, "-p", String(port), ...Object.entries(settings).flatMap(([k, v]) => ["-c", `${k}=${v}`])],
      env: { PATH: "/usr/bin:/bin", LC_ALL: "C", ...launch.markerEnv },
      cwd: pgDir,
      user: ctx.user,
      stopSignal: "SIGINT", // fast shutdown: do not wait for clients
      ports: [port],
    });
    try {
      await waitReady(
        pg,
        async () => (await psql(bin, admin(pgDir, port), "postgres", ["-Atc", "select 1"])).code === 0,
        30,
        "ready",
        ctx.signal,
      );
    } catch (err) {
      throw refusedSetting(plan, pg, settings) ?? err;
    }
  });
  return pg!;
}

/** A log line from its severity on ("FATAL: invalid value …"), spaces squeezed. */
const fromSeverity = (line: string) =>
  line
    .replace(/^.*?\b(FATAL|PANIC|ERROR|HINT|DETAIL):/, "$1:")
    .replace(/\s+/g, " ")
    .trim();

/**
 * PostgreSQL refuses a setting by exiting at start with a FATAL line naming the parameter. When the
 * log has one for a key of database.settings (or loadgate's own), the error names the setting, its
 * line in the stack file and PostgreSQL's own words, with the log tail. Another FATAL at start (out
 * of shared memory for a huge shared_buffers) is quoted in the first line too.
 */
function refusedSetting(plan: StackPlan, pg: Component, settings: Record<string, string>): StackError | undefined {
  if (pg.running) return undefined;
  const lines = lastLines(pg.logFile, 40).split("\n");
  const { spec } = plan;
  for (const [i, line] of lines.entries()) {
    const m = /\bFATAL:\s+.*parameter "([^"]+)"/.exec(line);
    if (!m || !(m[1] in settings)) continue;
    const key = m[1];
    const own = key in spec.database!.settings;
    const where = own
      ? `database.settings.${key}: ${JSON.stringify(settings[key])} (${spec.file}:${spec.lines[`database.settings.${key}`] ?? spec.lines.database ?? 1})`
      : `${key} = ${JSON.stringify(settings[key])} (a setting loadgate passes)`;
    const said = [line, ...(/\bHINT:/.test(lines[i + 1] ?? "") ? [lines[i + 1]] : [])]
      .map((l) => fromSeverity(l).replace(/\.$/, ""))
      .join(". ");
    const fix = own ? `Fix or remove database.settings.${key} in the stack file` : "Report this to loadgate";
    return pg.failure(
      `${pg.describeExit()} before it was ready: PostgreSQL refused the setting ${where}: ${said}. ${fix} and run again`,
    );
  }
  const fatal = lines.find((l) => /\b(FATAL|PANIC):/.test(l));
  if (!fatal) return undefined;
  const settingsNote =
    Object.keys(spec.database!.settings).length > 0
      ? ` Check database.settings (${Object.keys(spec.database!.settings).join(", ")}) in ${spec.file}`
      : "";
  return pg.failure(`${pg.describeExit()} before it was ready: ${fromSeverity(fatal)}${settingsNote}`);
}

/**
 * Creates the app role (with the run's password) and its database, runs the stack's schema SQL as
 * loadgate_admin, its setup commands (migrations, fixtures) as the app role, its seed SQL as
 * loadgate_admin, then ANALYZE. What the schema and seed SQL made is handed to the app role.
 */
async function createAndSeed(
  plan: StackPlan,
  ctx: PostgresContext,
  pg: Component,
  launch: Launch,
  credentials: DbCredentials,
): Promise<void> {
  const { spec } = plan;
  const database = spec.database!;
  const bin = ctx.binaries.postgresBin!;
  const target = admin(join(launch.runDir, "pg"), launch.ports.postgres);
  const created = await psql(bin, target, "postgres", [
    "-c",
    `create role ${APP_ROLE}`,
    "-c",
    setAppPasswordSql(credentials.appPassword),
    "-c",
    `create database ${DB} owner ${APP_ROLE}`,
  ]);
  if (created.code !== 0) throw pg.failure(`could not create the database: ${created.output.trim()}`);
  ctx.signal?.throwIfAborted();
  const runSql = async (key: "schema" | "seed", file: string | null) => {
    if (!file) return;
    ctx.log(`database.${key}: ${file}`);
    const t0 = Date.now();
    const r = await psql(bin, target, DB, ["-f", file]);
    if (r.code !== 0) throw sqlFailure(spec, key, file, r.output);
    const given = await psql(bin, target, DB, ["-c", GIVE_TO_APP_SQL]);
    if (given.code !== 0)
      throw pg.failure(`could not give the app role what database.${key} made: ${given.output.trim()}`);
    ctx.log(`database.${key} took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  };
  await runSql("schema", database.schema);
  await runDatabaseSetup(plan, ctx, launch, credentials);
  await runSql("seed", database.seed);
  const analyze = await psql(bin, target, DB, ["-c", "analyze"]);
  if (analyze.code !== 0) throw pg.failure(`ANALYZE failed: ${analyze.output.trim()}`);
}

/**
 * A schema or seed file that psql stopped on (ON_ERROR_STOP): the stack is broken, exit 3. psql names
 * the file and line of the failing statement ("psql:/x/seed.sql:2: ERROR:  relation … does not
 * exist"); the first line of the message says where, the rest is psql's own output.
 */
export function sqlFailure(spec: StackPlan["spec"], key: "schema" | "seed", file: string, output: string): StackError {
  const lines = output.trim().split("\n");
  const error = lines.find((l) => /^psql:.*:\d+: (ERROR|FATAL|PANIC):/.test(l));
  const at = error ? /^psql:(.*):(\d+): /.exec(error) : null;
  const where = at ? `${at[1]}:${at[2]}` : file;
  const what = error ? `: ${error.replace(/^psql:.*?:\d+: /, "").replace(/\s+/g, " ")}` : "";
  return new StackError(
    `${spec.file}:${spec.lines[`database.${key}`] ?? spec.lines.database ?? 1}: database.${key} failed at ${where}${what}\n--- psql's output ---\n${lines.slice(-10).join("\n")}\n---\nFix the SQL (${where}) and run again.`,
  );
}

/**
 * database.setup: each command in turn, in app.cwd with the app's environment, {database_url} and
 * DATABASE_URL pointing at PostgreSQL itself. Migration tools take advisory locks and keep session
 * state, which PgBouncer's transaction pooling breaks; PgBouncer is not up yet anyway. They log in as
 * the app role (which owns the database and its public schema, so migrations can create and alter
 * its tables), not as a superuser: a migration that needs one (CREATE EXTENSION of an untrusted
 * extension) belongs in database.schema.
 */
async function runDatabaseSetup(
  plan: StackPlan,
  ctx: PostgresContext,
  launch: Launch,
  credentials: DbCredentials,
): Promise<void> {
  const { spec } = plan;
  const steps = spec.database!.setup;
  const url = appUrl(launch.ports.postgres, credentials);
  const values = { database_url: url, stack_dir: spec.dir, run_dir: launch.runDir };
  for (const [i, step] of steps.entries()) {
    await runSetupStep(launch, {
      field: steps.length === 1 ? "database.setup" : `database.setup[${i}]`,
      name: `database-setup-${i + 1}`,
      command: fillPlaceholders(step.command, values),
      cwd: spec.app.cwd,
      env: { ...appEnvironment(ctx, spec.app.env, values, true), DATABASE_URL: url },
      timeoutSeconds: step.timeoutSeconds,
      where: `${spec.file}:${step.line}`,
      timeoutHint: "database.setup: [ { command: …, timeout: 20m } ]",
    });
  }
}

/**
 * The data the app starts on, as sha256 of every table's name and exact row count (after the schema,
 * database.setup and the seed, or the template's copy of them): the work count's `dataHash`. An index
 * added or dropped, a column's type changed, leave it as it is; rows seeded differently change it.
 */
async function dataFingerprint(ctx: PostgresContext, pg: Component, pgDir: string, port: number): Promise<string> {
  const r = await psql(ctx.binaries.postgresBin!, admin(pgDir, port), DB, [
    "-Atc",
    "select format('%I.%I', n.nspname, c.relname), (xpath('/row/n/text()', query_to_xml(format('select count(*) as n from %I.%I', n.nspname, c.relname), false, true, '')))[1]::text from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.relkind in ('r', 'p') and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\\_toast%' order by 1",
  ]);
  if (r.code !== 0) throw pg.failure(`could not count the tables' rows: ${r.output.trim()}`);
  return createHash("sha256").update(r.output.trim()).digest("hex");
}

async function prewarm(ctx: PostgresContext, pg: Component, pgDir: string, port: number): Promise<void> {
  // Without a prewarm, throughput crept up ~18% over the first 30 s while the cache filled.
  const r = await psql(ctx.binaries.postgresBin!, admin(pgDir, port), DB, [
    "-Atc",
    "create extension if not exists pg_prewarm; select coalesce(sum(pg_prewarm(c.oid)), 0) from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.relkind in ('r', 'i', 'm', 't') and n.nspname not in ('pg_catalog', 'information_schema')",
  ]);
  if (r.code !== 0) throw pg.failure(`pg_prewarm failed: ${r.output.trim()}`);
  const blocks = Number(r.output.trim().split("\n").at(-1));
  ctx.log(`prewarmed ${((blocks * 8) / 1024).toFixed(0)} MiB of tables and indexes`);
}

/**
 * Copies a template data directory to `data`, as the unprivileged user (who owns both the template
 * and <run>/pg, so root writes nothing in a folder another user owns). `cp -a` keeps modes and was
 * faster than fs.cpSync plus a chown walk on a 1M-row database. PostgreSQL refuses a data directory
 * others can read: 0700.
 */
async function copyTemplate(template: string, data: string, user: RunUser | undefined): Promise<number> {
  const t0 = Date.now();
  const r = await execCapture("sh", ["-c", 'cp -a -- "$1" "$2" && chmod 700 -- "$2"', "sh", template, data], {
    env: { PATH: "/usr/bin:/bin" },
    user,
  });
  if (r.code !== 0)
    throw new StackError(`postgres: could not copy the seeded template ${template}: ${r.output.trim()}`);
  return Date.now() - t0;
}

/**
 * PostgreSQL: a fresh database (initdb, schema, database.setup, seed, ANALYZE) or a copy of a seeded
 * template, then prewarm.
 */
export const postgresPart: StackPart<PostgresContext> = {
  name: "postgres",
  wanted: (plan) => plan.spec.database !== null,
  async start(plan, ctx, launch, wiring) {
    const folder = pgFolder(launch);
    const credentials = newCredentials();
    let pg: Component;
    if (ctx.databaseTemplate) {
      const copyMs = await copyTemplate(ctx.databaseTemplate, folder.data, ctx.user);
      pg = await startServer(plan, ctx, launch, folder);
      // The copy keeps the template's password: this run's replaces it.
      const r = await psql(ctx.binaries.postgresBin!, admin(folder.pgDir, launch.ports.postgres), "postgres", [
        "-c",
        setAppPasswordSql(credentials.appPassword),
      ]);
      if (r.code !== 0) throw pg.failure(`could not set the app role's password: ${r.output.trim()}`);
      ctx.log(
        `postgres: started from the seeded copy of ${ctx.databaseTemplate} (copy took ${seconds(copyMs)}; no schema, setup, seed or ANALYZE)`,
      );
    } else {
      await freshCluster(ctx, folder, launch);
      pg = await startServer(plan, ctx, launch, folder);
      await createAndSeed(plan, ctx, pg, launch, credentials);
    }
    wiring.dataFingerprint = await dataFingerprint(ctx, pg, folder.pgDir, launch.ports.postgres);
    // The buffer cache belongs to the instance: a copy starts cold like a fresh database.
    if (plan.spec.database!.prewarm) await prewarm(ctx, pg, folder.pgDir, launch.ports.postgres);
    wiring.credentials = credentials;
    wiring.databaseUrl = appUrl(launch.ports.postgres, credentials);
    wiring.postgresUrl = wiring.databaseUrl;
  },
};

/** A seeded PostgreSQL data directory, stopped cleanly, that stacks start from a copy of. */
export interface DatabaseTemplate {
  /** The data directory: pass it as StackContext.databaseTemplate. */
  readonly dir: string;
  /** Removes the template's folder. Safe to call twice. */
  dispose(): void;
}

/** What seeding a template needs: a StackContext has it all. */
export type TemplateContext = Pick<
  PostgresContext,
  "binaries" | "user" | "tmpDir" | "log" | "signal" | "cpus" | "onComponent" | "baseEnv" | "python" | "clusterCache"
>;

/**
 * Makes the stack's database once (initdb, schema, database.setup, seed, ANALYZE) in a folder under ctx.tmpDir,
 * then stops PostgreSQL with a fast shutdown (SIGINT; it checkpoints and exits 0), so restarts copy
 * it instead of seeding again. On any failure it stops what it started, removes the folder and
 * throws the same errors bringUp would (a failing schema or seed SQL: a StackError with the file and line psql names).
 * The template holds only what the stack file's schema, setup commands and seed make: seed one per
 * distinct database. Restarts from a copy do not run the setup commands again.
 */
export async function seedDatabaseTemplate(plan: StackPlan, ctx: TemplateContext): Promise<DatabaseTemplate> {
  if (!plan.spec.database) throw new Error(`stack ${plan.spec.name} has no database to make a template of`);
  const t0 = Date.now();
  const launch = newLaunch(`${plan.spec.name}-template`, ctx);
  const dispose = () => removeTree(launch.runDir);
  try {
    const folder = pgFolder(launch);
    const { data } = folder;
    await freshCluster(ctx, folder, launch, " (template)");
    // The seed's WAL (160 MB for 1M rows) is not needed after the shutdown checkpoint: without
    // recycling, that checkpoint deletes it, so every restart copies less than half as much.
    const pg = await startServer(plan, ctx, launch, folder, { wal_recycle: "off" });
    // A password only for the seeding: every start from a copy sets its own.
    await createAndSeed(plan, ctx, pg, launch, newCredentials());
    await pg.stop(60_000);
    if (pg.exitInfo?.code !== 0) throw pg.failure(`${pg.describeExit()} when asked to shut down the seeded template`);
    await tearDown(launch, "none");
    ctx.log(`seeded database template ${data} in ${seconds(Date.now() - t0)}`);
    return { dir: data, dispose };
  } catch (err) {
    const explained = explainFullDisk(err, launch.runDir);
    await tearDown(launch, ctx.signal?.aborted ? "all" : "data").catch((downErr) =>
      ctx.log(String((downErr as Error).message ?? downErr)),
    );
    dispose();
    throw explained;
  }
}
