// psql as loadgate's own client: as loadgate_admin on PostgreSQL's Unix socket, or as a role with
// its password over TCP (PgBouncer). The password goes in the environment, never on a command line.

import { join } from "node:path";
import { execCapture } from "../exec.js";
import { ADMIN_ROLE } from "./db-auth.js";

/** Where psql connects: PostgreSQL's socket folder (no password), or loopback TCP with a role's password. */
export type PsqlTarget = { socketDir: string; port: number } | { port: number; user: string; password: string };

export async function psql(bin: string, target: PsqlTarget, database: string, args: string[]) {
  const tcp = "password" in target;
  return execCapture(
    join(bin, "psql"),
    [
      "-X",
      "-q",
      "-v",
      "ON_ERROR_STOP=1",
      "-h",
      tcp ? "127.0.0.1" : target.socketDir,
      "-p",
      String(target.port),
      "-U",
      tcp ? target.user : ADMIN_ROLE,
      "-d",
      database,
      "-w",
      ...args,
    ],
    {
      env: { PATH: "/usr/bin:/bin", PGCONNECT_TIMEOUT: "3", ...(tcp ? { PGPASSWORD: target.password } : {}) },
    },
  );
}
