import { spawnSync } from "node:child_process";
import { accessSync, constants, existsSync, readdirSync, realpathSync } from "node:fs";
import { dirname, join } from "node:path";
import { baseEnvOf, toolEnvOf } from "../child-env.js";
import type { BinarySearch } from "../config/binary-search.js";
import { UserError } from "../errors.js";

export interface Binaries {
  /** Folder holding initdb, postgres, psql, pg_isready. */
  postgresBin?: string;
  pgbouncer?: string;
  nginx?: string;
  /** valgrind and vgdb (the cost run). */
  valgrind?: string;
  vgdb?: string;
}

export interface Needs {
  postgres: boolean;
  pgbouncer: boolean;
  nginx: boolean;
  /** The cost run: valgrind with callgrind and vgdb. */
  valgrind?: boolean;
}

/** Debian package that provides each component. */
const PACKAGES = {
  postgres: "postgresql",
  pgbouncer: "pgbouncer",
  nginx: "nginx-light",
  valgrind: "valgrind",
} as const;

function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Where to look for the components' binaries. */
export function which(name: string, dirs: readonly string[]): string | undefined {
  for (const dir of dirs) {
    const p = join(dir, name);
    if (isExecutable(p)) return p;
  }
  return undefined;
}

/** PostgreSQL's server binaries: initdb on PATH, else the newest /usr/lib/postgresql/<version>/bin. */
export function findPostgresBin(search: BinarySearch): string | undefined {
  // Follow symlinks: some machines link initdb and postgres into /usr/local/bin but not psql.
  const initdb = which("initdb", search.dirs);
  if (initdb) {
    const dir = dirname(realpathSync(initdb));
    if (["postgres", "psql"].every((b) => isExecutable(join(dir, b)))) return dir;
  }
  const root = search.postgresRoot;
  if (!root || !existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => /^\d+(\.\d+)?$/.test(v))
    .sort((a, b) => Number(b) - Number(a));
  for (const v of versions) {
    const bin = join(root, v, "bin");
    if (["initdb", "postgres", "psql"].every((b) => isExecutable(join(bin, b)))) return bin;
  }
  return undefined;
}

export function findBinaries(search: BinarySearch): Binaries {
  return {
    postgresBin: findPostgresBin(search),
    pgbouncer: which("pgbouncer", search.dirs),
    nginx: which("nginx", search.dirs),
    valgrind: which("valgrind", search.dirs),
    vgdb: which("vgdb", search.dirs),
  };
}

export function missingPackages(found: Binaries, needs: Needs): string[] {
  const missing: string[] = [];
  if (needs.postgres && !found.postgresBin) missing.push(PACKAGES.postgres);
  if (needs.pgbouncer && !found.pgbouncer) missing.push(PACKAGES.pgbouncer);
  if (needs.nginx && !found.nginx) missing.push(PACKAGES.nginx);
  if (needs.valgrind && !(found.valgrind && found.vgdb)) missing.push(PACKAGES.valgrind);
  return missing;
}

export function installCommand(packages: readonly string[]): string {
  const sudo = process.getuid?.() === 0 ? "" : "sudo ";
  return `${sudo}apt-get update && ${sudo}DEBIAN_FRONTEND=noninteractive apt-get install -y ${packages.join(" ")}`;
}

/** Checks that what the stacks need is installed; with `install`, installs it with apt-get first. */
export function requireBinaries(
  needs: Needs,
  search: BinarySearch,
  install: boolean,
  log: (line: string) => void,
): Binaries {
  let found = findBinaries(search);
  let missing = missingPackages(found, needs);
  if (missing.length === 0) return found;
  if (install) {
    const root = process.getuid?.() === 0;
    const canSudo =
      !root && spawnSync("sudo", ["-n", "true"], { stdio: "ignore", env: baseEnvOf(process.env) }).status === 0;
    if (!root && !canSudo) {
      throw new UserError(
        `Missing: ${missing.join(", ")}. --install needs root or passwordless sudo to run apt-get; run this yourself:\n  ${installCommand(missing)}`,
      );
    }
    const pre = root ? [] : ["sudo", "-n"];
    log(`Installing ${missing.join(", ")} with apt-get`);
    const env = toolEnvOf("apt", process.env);
    for (const args of [
      [...pre, "apt-get", "update", "-qq"],
      [...pre, "apt-get", "install", "-y", "-qq", ...missing],
    ]) {
      const r = spawnSync(args[0], args.slice(1), { stdio: ["ignore", "inherit", "inherit"], env });
      if (r.status !== 0) {
        throw new UserError(
          `"${args.join(" ")}" failed (exit ${r.status ?? r.signal}). Install by hand:\n  ${installCommand(missing)}`,
        );
      }
    }
    found = findBinaries(search);
    missing = missingPackages(found, needs);
    if (missing.length === 0) return found;
  }
  const what = missing
    .map((p) =>
      p === "postgresql"
        ? "PostgreSQL (initdb, postgres)"
        : p === "valgrind"
          ? "valgrind (valgrind and vgdb, for the cost run)"
          : p,
    )
    .join(", ");
  throw new UserError(
    `Not installed: ${what}. Install with:\n  ${installCommand(missing)}\nor run again with --install.`,
  );
}
