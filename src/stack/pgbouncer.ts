import { join } from "node:path";
import type { Binaries } from "./binaries.js";
import { renderPgbouncerIni } from "./configs.js";
import { ADMIN_ROLE, APP_ROLE, appUrl, DB, type DbCredentials, pgbouncerAuthFile } from "./db-auth.js";
import { type LaunchContext, type StackPart, startOnFreePort } from "./launch.js";
import { waitReady } from "./process-group.js";
import { psql } from "./psql.js";
import { writeNewFile } from "./run-folder.js";

/**
 * PgBouncer in front of PostgreSQL; the app then gets PgBouncer's URL.
 *
 * Authentication: `auth_type = scram-sha-256` with the passwords in plain text in an auth_file that
 * only PgBouncer's user can read (0600). PgBouncer checks each client's SCRAM exchange against it and
 * logs in to PostgreSQL (SCRAM too) with the app role's password from the same file. The other way,
 * SCRAM pass-through (the auth_file holds PostgreSQL's SCRAM secrets), works only when the
 * [databases] line names no user; ours names the app role, so that whoever logs in to PgBouncer
 * (loadgate_admin for SHOW POOLS included) reaches PostgreSQL only as the app role. The password is
 * random, lives for one run, and PostgreSQL keeps only its SCRAM secret.
 *
 * Files: <run>/pgbouncer stays root's. PgBouncer writes nothing there (no pid file, no log file, no
 * Unix socket; its output goes to <run>/pgbouncer.log through the descriptor loadgate opened);
 * root writes pgbouncer.ini (0644) and users.txt (0600, handed to PgBouncer's user on the open file).
 */
export const pgbouncerPart: StackPart<LaunchContext & { binaries: Binaries }> = {
  name: "pgbouncer",
  wanted: (plan) => plan.spec.database !== null && plan.spec.pooler !== null,
  async start(plan, ctx, launch, wiring) {
    const pooler = plan.spec.pooler!;
    const { ports } = launch;
    const credentials = wiring.credentials!;
    const dir = launch.dir("pgbouncer");
    const authFile = join(dir, "users.txt");
    writeNewFile(authFile, pgbouncerAuthFile(credentials), 0o600, ctx.user);
    let attempt = 0;
    await startOnFreePort(launch, "pgbouncer", async (port) => {
      ports.pgbouncer = port;
      const ini = join(dir, attempt++ === 0 ? "pgbouncer.ini" : `pgbouncer-${attempt}.ini`);
      writeNewFile(
        ini,
        renderPgbouncerIni({
          listenPort: port,
          postgresPort: ports.postgres,
          database: DB,
          user: APP_ROLE,
          statsUser: ADMIN_ROLE,
          authFile,
          poolMode: pooler.poolMode,
          defaultPoolSize: pooler.defaultPoolSize,
          maxClientConn: pooler.maxClientConn,
          countWork: Boolean(plan.work),
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
      const asApp = { port, user: APP_ROLE, password: credentials.appPassword };
      await waitReady(
        pgb,
        async () => (await psql(ctx.binaries.postgresBin!, asApp, DB, ["-Atc", "select 1"])).code === 0,
        15,
        "ready",
        ctx.signal,
      );
    });
    wiring.databaseUrl = appUrl(ports.pgbouncer, credentials);
  },
};

/**
 * PgBouncer's pools as one line (SHOW POOLS on its console, as loadgate_admin, which stats_users
 * names): how many clients wait for a server connection and for how long, how many are served, and
 * the pool size. undefined when the console does not answer. A pool too small for the app's
 * concurrency shows as waiting clients; their requests time out at the load generator.
 */
export async function poolState(
  postgresBin: string,
  port: number,
  poolSize: number,
  credentials: DbCredentials,
): Promise<string | undefined> {
  const asAdmin = { port, user: ADMIN_ROLE, password: credentials.adminPassword };
  const r = await psql(postgresBin, asAdmin, "pgbouncer", ["-A", "-F", "\t", "-P", "footer=off", "-c", "show pools"]);
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
