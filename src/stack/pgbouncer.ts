import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Binaries } from "./binaries.js";
import { renderPgbouncerIni } from "./configs.js";
import { type LaunchContext, type StackPart, startOnFreePort } from "./launch.js";
import { DB, DB_USER, psql } from "./postgres.js";
import { waitReady } from "./process-group.js";

/** PgBouncer in front of PostgreSQL; the app then gets PgBouncer's URL. */
export const pgbouncerPart: StackPart<LaunchContext & { binaries: Binaries }> = {
  name: "pgbouncer",
  wanted: (plan) => plan.spec.database !== null && plan.spec.pooler !== null,
  async start(plan, ctx, launch, wiring) {
    const pooler = plan.spec.pooler!;
    const { ports } = launch;
    const dir = launch.dir("pgbouncer");
    const authFile = join(dir, "users.txt");
    writeFileSync(authFile, `"${DB_USER}" ""\n`);
    await startOnFreePort(launch, "pgbouncer", async (port) => {
      ports.pgbouncer = port;
      const ini = join(dir, "pgbouncer.ini");
      writeFileSync(
        ini,
        renderPgbouncerIni({
          listenPort: port,
          postgresPort: ports.postgres,
          database: DB,
          user: DB_USER,
          authFile,
          poolMode: pooler.poolMode,
          defaultPoolSize: pooler.defaultPoolSize,
          maxClientConn: pooler.maxClientConn,
        }),
      );
      const pgb = await launch.start({
        name: "pgbouncer",
        command: ctx.binaries.pgbouncer!,
        args: [ini],
        env: { PATH: "/usr/bin:/bin", ...launch.markerEnv },
        cwd: dir,
        user: ctx.user,
        stopSignal: "SIGINT",
        ports: [port],
      });
      await waitReady(
        pgb,
        async () => (await psql(ctx.binaries.postgresBin!, port, DB, ["-Atc", "select 1"])).code === 0,
        15,
        "ready",
        ctx.signal,
      );
    });
    wiring.databaseUrl = `postgresql://${DB_USER}@127.0.0.1:${ports.pgbouncer}/${DB}`;
  },
};

/**
 * PgBouncer's pools as one line (SHOW POOLS on its console, which stats_users may read): how many
 * clients wait for a server connection and for how long, how many are served, and the pool size.
 * undefined when the console does not answer. A pool too small for the app's concurrency shows as
 * waiting clients; their requests time out at the load generator.
 */
export async function poolState(postgresBin: string, port: number, poolSize: number): Promise<string | undefined> {
  const r = await psql(postgresBin, port, "pgbouncer", ["-A", "-F", "\t", "-P", "footer=off", "-c", "show pools"]);
  if (r.code !== 0) return undefined;
  const [head, ...rows] = r.output.trim().split("\n");
  const names = (head ?? "").split("\t");
  const col = (row: string[], name: string) => Number(row[names.indexOf(name)] ?? Number.NaN);
  const pools = rows.map((l) => l.split("\t")).filter((row) => row[names.indexOf("database")] === DB);
  if (pools.length === 0) return undefined;
  const sum = (name: string) => pools.reduce((a, row) => a + (col(row, name) || 0), 0);
  const maxwait = Math.max(...pools.map((row) => (col(row, "maxwait") || 0) + (col(row, "maxwait_us") || 0) / 1e6));
  return `PgBouncer's pool for ${DB}: ${sum("cl_waiting")} client(s) waiting for a server connection (the longest for ${maxwait.toFixed(1)} s), ${sum("cl_active")} served by ${sum("sv_active")} busy server connection(s) of ${poolSize} (pooler.pgbouncer.default_pool_size).`;
}
