import { randomBytes } from "node:crypto";
import { chownSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import type { StackPlan } from "../config/plan.js";
import { StackError, UserError } from "../errors.js";
import type { Binaries } from "./binaries.js";
import { fillPlaceholders, renderNginxConf, renderPgbouncerIni } from "./configs.js";
import { execCapture } from "./exec.js";
import { commandLineOf, freePort, listeningInodes, pidsHoldingSockets, pidsWithEnv } from "./ports.js";
import { httpOk, tcpOpen } from "./probes.js";
import { Component, type ComponentOptions, groupMembers, waitReady } from "./process-group.js";
import type { PythonEnv } from "./python-env.js";
import type { RunUser } from "./run-user.js";

/** Every component carries this variable, so children that escape their process group can still be found. */
export const RUN_MARKER = "LOADGATE_RUN_ID";
const DB = "loadgate";
const DB_USER = "loadgate";

export interface StackContext {
  binaries: Binaries;
  /** Unprivileged user for PostgreSQL, PgBouncer and nginx when we are root. */
  user: RunUser | undefined;
  tmpDir: string;
  baseEnv: Record<string, string>;
  python: PythonEnv | undefined;
  nginxSupportsErrorFlag: boolean;
  log: (line: string) => void;
  signal?: AbortSignal;
  /** CPUs for every component (taskset list) when the run is pinned. */
  cpus?: string;
  /** Called with each component as it starts, so a crash handler elsewhere can record it. */
  onComponent?: (c: { name: string; pid: number; ports: number[]; runId: string }) => void;
}

export interface Orphan {
  pid: number;
  command: string;
  port?: number;
}

export interface RunningStack {
  readonly runId: string;
  readonly runDir: string;
  /** Where the load goes: nginx, or the app when proxy is none. */
  readonly url: string;
  readonly ports: Record<string, number>;
  readonly components: readonly Component[];
  /** Throws when a component has exited since it became ready. */
  assertAlive(): void;
  /**
   * Stops everything; throws StackError naming orphans when a process or port was left behind.
   * The run folder (logs) is removed unless `keepLogs`, which a failed run asks for.
   */
  down(keepLogs?: boolean): Promise<void>;
}

/**
 * The unprivileged user must be able to reach the run folder. RUNNER_TEMP or TMPDIR may sit under a
 * folder only root can enter (mode 0700); then the run goes under /tmp instead.
 */
function reachableRoot(tmpDir: string, user: RunUser | undefined, log: (line: string) => void): string {
  if (!user) return tmpDir;
  let dir = resolve(tmpDir);
  for (;;) {
    if ((statSync(dir).mode & 0o001) === 0) {
      log(
        `${tmpDir} is not reachable by the user ${user.name} (${dir} has no o+x); using ${tmpdir()} for the run folder`,
      );
      return tmpdir();
    }
    const parent = dirname(dir);
    if (parent === dir) return tmpDir;
    dir = parent;
  }
}

function ownedDir(path: string, user: RunUser | undefined): string {
  mkdirSync(path, { recursive: true, mode: 0o755 });
  if (user) chownSync(path, user.uid, user.gid);
  return path;
}

async function psql(bin: string, port: number, database: string, args: string[]) {
  return execCapture(
    join(bin, "psql"),
    [
      "-X",
      "-q",
      "-v",
      "ON_ERROR_STOP=1",
      "-h",
      "127.0.0.1",
      "-p",
      String(port),
      "-U",
      DB_USER,
      "-d",
      database,
      ...args,
    ],
    {
      env: { PATH: "/usr/bin:/bin", PGCONNECT_TIMEOUT: "3" },
    },
  );
}

/** Brings the stack up in order PostgreSQL → PgBouncer → app → nginx. On any failure it stops what it started. */
export async function bringUp(plan: StackPlan, ctx: StackContext): Promise<RunningStack> {
  const { spec } = plan;
  const runId = randomBytes(6).toString("hex");
  const runDir = mkdtempSync(join(reachableRoot(ctx.tmpDir, ctx.user, ctx.log), `loadgate-${spec.name}-`));
  ownedDir(runDir, ctx.user);
  const components: Component[] = [];
  const ports: Record<string, number> = {};
  const markerEnv = { [RUN_MARKER]: runId };

  const start = async (options: Omit<ComponentOptions, "logFile"> & { ports: number[] }) => {
    const c = await Component.start({ ...options, cpus: ctx.cpus, logFile: join(runDir, `${options.name}.log`) });
    components.push(c);
    ctx.log(`${c.name} started: pid ${c.pid}, port ${options.ports.join(", ")}`);
    ctx.onComponent?.({ name: c.name, pid: c.pid, ports: options.ports, runId });
    return c;
  };

  let downDone: Promise<void> | undefined;
  const stack: RunningStack = {
    runId,
    runDir,
    get url() {
      const port = ports.nginx ?? ports.app;
      return `http://127.0.0.1:${port}`;
    },
    ports,
    components,
    assertAlive() {
      for (const c of components) {
        if (!c.running && !c.stopping) throw c.failure(`${c.describeExit()} during the load`);
      }
    },
    down: async (keepLogs = false) => {
      if (downDone) return downDone;
      downDone = tearDown(runDir, components, ports, runId, keepLogs);
      return downDone;
    },
  };

  try {
    let databaseUrl = "";
    if (spec.database) {
      const bin = ctx.binaries.postgresBin!;
      const pgDir = ownedDir(join(runDir, "pg"), ctx.user);
      const data = join(pgDir, "data");
      ctx.log("initdb");
      const init = await execCapture(
        join(bin, "initdb"),
        ["-D", data, "-U", DB_USER, "-A", "trust", "-E", "UTF8", "--no-sync", "--no-instructions"],
        { user: ctx.user, cwd: pgDir, env: { PATH: "/usr/bin:/bin", LC_ALL: "C" } },
      );
      if (init.code !== 0)
        throw new StackError(
          `postgres: initdb failed (exit ${init.code}):\n${init.output.trim().split("\n").slice(-20).join("\n")}`,
        );
      ports.postgres = await freePort();
      const settings: Record<string, string> = {
        listen_addresses: "127.0.0.1",
        unix_socket_directories: pgDir,
        fsync: "off",
        synchronous_commit: "off",
        full_page_writes: "off",
        shared_buffers: "256MB",
        max_connections: "300",
        logging_collector: "off",
        ...spec.database.settings,
      };
      const pg = await start({
        name: "postgres",
        command: join(bin, "postgres"),
        args: [
          "-D",
          data,
          "-p",
          String(ports.postgres),
          ...Object.entries(settings).flatMap(([k, v]) => ["-c", `${k}=${v}`]),
        ],
        env: { PATH: "/usr/bin:/bin", LC_ALL: "C", ...markerEnv },
        cwd: pgDir,
        user: ctx.user,
        stopSignal: "SIGINT", // fast shutdown: do not wait for clients
        ports: [ports.postgres],
      });
      await waitReady(
        pg,
        async () => (await psql(bin, ports.postgres, "postgres", ["-Atc", "select 1"])).code === 0,
        30,
        "ready",
        ctx.signal,
      );
      const created = await psql(bin, ports.postgres, "postgres", ["-c", `create database ${DB}`]);
      if (created.code !== 0) throw pg.failure(`could not create the database: ${created.output.trim()}`);
      ctx.signal?.throwIfAborted();
      for (const [key, file] of [
        ["schema", spec.database.schema],
        ["seed", spec.database.seed],
      ] as const) {
        if (!file) continue;
        ctx.log(`database.${key}: ${file}`);
        const t0 = Date.now();
        const r = await psql(bin, ports.postgres, DB, ["-f", file]);
        if (r.code !== 0) {
          throw new UserError(
            `${spec.file}:${spec.lines.database ?? 1}: database.${key} failed in ${file}:\n${r.output.trim().split("\n").slice(-10).join("\n")}\nFix the SQL and run again.`,
          );
        }
        ctx.log(`database.${key} took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      }
      const analyze = await psql(bin, ports.postgres, DB, ["-c", "analyze"]);
      if (analyze.code !== 0) throw pg.failure(`ANALYZE failed: ${analyze.output.trim()}`);
      if (spec.database.prewarm) {
        // Without a prewarm, throughput crept up ~18% over the first 30 s while the cache filled.
        const r = await psql(bin, ports.postgres, DB, [
          "-Atc",
          "create extension if not exists pg_prewarm; select coalesce(sum(pg_prewarm(c.oid)), 0) from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.relkind in ('r', 'i', 'm', 't') and n.nspname not in ('pg_catalog', 'information_schema')",
        ]);
        if (r.code !== 0) throw pg.failure(`pg_prewarm failed: ${r.output.trim()}`);
        const blocks = Number(r.output.trim().split("\n").at(-1));
        ctx.log(`prewarmed ${((blocks * 8) / 1024).toFixed(0)} MiB of tables and indexes`);
      }
      databaseUrl = `postgresql://${DB_USER}@127.0.0.1:${ports.postgres}/${DB}`;

      if (spec.pooler) {
        const dir = ownedDir(join(runDir, "pgbouncer"), ctx.user);
        ports.pgbouncer = await freePort();
        const authFile = join(dir, "users.txt");
        writeFileSync(authFile, `"${DB_USER}" ""\n`);
        const ini = join(dir, "pgbouncer.ini");
        writeFileSync(
          ini,
          renderPgbouncerIni({
            listenPort: ports.pgbouncer,
            postgresPort: ports.postgres,
            database: DB,
            user: DB_USER,
            authFile,
            poolMode: spec.pooler.poolMode,
            defaultPoolSize: spec.pooler.defaultPoolSize,
            maxClientConn: spec.pooler.maxClientConn,
          }),
        );
        const pgb = await start({
          name: "pgbouncer",
          command: ctx.binaries.pgbouncer!,
          args: [ini],
          env: { PATH: "/usr/bin:/bin", ...markerEnv },
          cwd: dir,
          user: ctx.user,
          stopSignal: "SIGINT",
          ports: [ports.pgbouncer],
        });
        await waitReady(
          pgb,
          async () => (await psql(bin, ports.pgbouncer, DB, ["-Atc", "select 1"])).code === 0,
          15,
          "ready",
          ctx.signal,
        );
        databaseUrl = `postgresql://${DB_USER}@127.0.0.1:${ports.pgbouncer}/${DB}`;
      }
    }

    ports.app = await freePort();
    const values = { port: ports.app, workers: plan.workers, database_url: databaseUrl, stack_dir: spec.dir };
    const env: Record<string, string> = { ...ctx.baseEnv };
    if (ctx.python) {
      env.PATH = `${ctx.python.bin}:${env.PATH ?? "/usr/bin:/bin"}`;
      env.VIRTUAL_ENV = ctx.python.dir;
      env.PYTHONUNBUFFERED = "1";
    }
    for (const [k, v] of Object.entries(spec.app.env)) env[k] = fillPlaceholders(v, values);
    Object.assign(env, markerEnv);
    const command = fillPlaceholders(spec.app.command, values);
    ctx.log(`app: ${command}`);
    const app = await start({
      name: "app",
      command: "/bin/sh",
      args: ["-c", command],
      env,
      cwd: spec.app.cwd,
      ports: [ports.app],
    });
    const uwsgi = spec.proxy?.upstream === "uwsgi";
    await waitReady(
      app,
      () => (uwsgi ? tcpOpen(ports.app) : httpOk(`http://127.0.0.1:${ports.app}${spec.app.ready.http}`)),
      spec.app.ready.timeoutSeconds,
      `ready (HTTP 2xx on ${uwsgi ? "its port" : spec.app.ready.http})`,
      ctx.signal,
    );

    if (spec.proxy) {
      const prefix = ownedDir(join(runDir, "nginx"), ctx.user);
      ports.nginx = await freePort();
      const conf = join(prefix, "nginx.conf");
      writeFileSync(
        conf,
        renderNginxConf({
          prefix,
          listenPort: ports.nginx,
          appPort: ports.app,
          workerProcesses: spec.proxy.workerProcesses,
          keepalive: spec.proxy.keepalive,
          upstream: spec.proxy.upstream,
        }),
      );
      const nginx = await start({
        name: "nginx",
        command: ctx.binaries.nginx!,
        args: ["-p", `${prefix}/`, "-c", conf, ...(ctx.nginxSupportsErrorFlag ? ["-e", "stderr"] : [])],
        env: { PATH: "/usr/bin:/bin", ...markerEnv },
        cwd: prefix,
        user: ctx.user,
        stopSignal: "SIGQUIT", // graceful shutdown
        ports: [ports.nginx],
      });
      await waitReady(
        nginx,
        () => httpOk(`http://127.0.0.1:${ports.nginx}${spec.app.ready.http}`),
        15,
        "ready (HTTP 2xx through nginx)",
        ctx.signal,
      );
    }
    ctx.log(
      `up: ${Object.entries(ports)
        .map(([n, p]) => `${n} 127.0.0.1:${p}`)
        .join(", ")}`,
    );
    return stack;
  } catch (err) {
    await stack.down(true).catch((downErr) => ctx.log(String((downErr as Error).message ?? downErr)));
    throw err;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function tearDown(
  runDir: string,
  components: Component[],
  ports: Record<string, number>,
  runId: string,
  keepLogs: boolean,
) {
  // Reverse order: nginx stops taking requests before the app goes, the app before the database.
  for (const c of [...components].reverse()) await c.stop(5000);

  const orphans = new Map<number, Orphan>();
  for (const pid of pidsWithEnv(RUN_MARKER, runId)) orphans.set(pid, { pid, command: commandLineOf(pid) });
  for (const [name, port] of Object.entries(ports)) {
    for (const pid of pidsHoldingSockets(listeningInodes(port))) {
      orphans.set(pid, { pid, command: `${commandLineOf(pid)} [${name} port]`, port });
    }
  }
  for (const c of components)
    for (const pid of groupMembers(c.pid)) orphans.set(pid, { pid, command: commandLineOf(pid) });

  if (orphans.size > 0) {
    for (const o of orphans.values()) {
      try {
        process.kill(o.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    const deadline = Date.now() + 3000;
    while (Date.now() < deadline && Object.values(ports).some((p) => listeningInodes(p).size > 0)) await sleep(50);
  }
  rmSync(join(runDir, "pg", "data"), { recursive: true, force: true });
  if (orphans.size > 0) {
    const list = [...orphans.values()]
      .map((o) => `  pid ${o.pid}${o.port ? ` (held port ${o.port})` : ""}: ${o.command}`)
      .join("\n");
    throw new StackError(
      `Processes outlived their component's process group (a child that escaped its group, or a parent that died and left children holding the port). loadgate killed them:\n${list}\nLogs: ${runDir}`,
    );
  }
  const stillBound = Object.entries(ports).filter(([, p]) => listeningInodes(p).size > 0);
  if (stillBound.length > 0) {
    throw new StackError(
      `Ports still bound after stop: ${stillBound.map(([n, p]) => `${n} ${p}`).join(", ")}. Logs: ${runDir}`,
    );
  }
  if (!keepLogs) rmSync(runDir, { recursive: true, force: true });
}
