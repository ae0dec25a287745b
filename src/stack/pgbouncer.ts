import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Binaries } from "./binaries.js";
import { renderPgbouncerIni } from "./configs.js";
import type { LaunchContext, StackPart } from "./launch.js";
import { freePort } from "./ports.js";
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
      ports: [ports.pgbouncer],
    });
    await waitReady(
      pgb,
      async () => (await psql(ctx.binaries.postgresBin!, ports.pgbouncer, DB, ["-Atc", "select 1"])).code === 0,
      15,
      "ready",
      ctx.signal,
    );
    wiring.databaseUrl = `postgresql://${DB_USER}@127.0.0.1:${ports.pgbouncer}/${DB}`;
  },
};
