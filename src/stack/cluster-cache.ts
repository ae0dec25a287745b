// A fresh PostgreSQL cluster, as initdb makes it, kept once per PostgreSQL build in loadgate's cache
// folder: a stack starts from a copy of it (about 0.1 s) instead of running initdb (about 0.8 s on the
// 2-vCPU development VM). Nothing of a stack's own is in it: roles, the database, the schema, the seed
// and the passwords come after, per run.
//
// Who writes where: the cache is kept by loadgate's user (root's when we are root, 0700). An entry is
// made from a run's own initdb output, copied into a folder of the cache's and checked to hold only
// folders and plain files before it is renamed into place; a start copies the entry into a folder of
// the run's (root's), hands the copy to the unprivileged user, and renames it into <run>/pg. So a file
// the unprivileged user plants never decides what root writes, and a trusted run's cache is its own
// (the caller passes a folder per trust, as for the virtualenvs).

import { createHash } from "node:crypto";
import { chownSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { execCapture } from "../exec.js";
import type { RunUser } from "./run-user.js";

/** The one initdb every cluster is made with (the admin role's name and its trust on the socket are loadgate's). */
export const initdbArgs = (data: string, adminRole: string): string[] => [
  "-D",
  data,
  "-U",
  adminRole,
  "--auth-local=trust",
  "--auth-host=scram-sha-256",
  "-E",
  "UTF8",
  "--no-sync",
  "--no-instructions",
];

/** The cache entry's name: the initdb binary (path, size, modification time) and its arguments. */
export function clusterKey(initdb: string, adminRole: string): string {
  const s = statSync(initdb);
  return createHash("sha256")
    .update(`${initdb}\0${s.size}\0${s.mtimeMs}\0${initdbArgs("", adminRole).join(" ")}\0LC_ALL=C`)
    .digest("hex")
    .slice(0, 16);
}

const cp = (from: string, to: string, user?: RunUser) =>
  execCapture("cp", ["-a", "--", from, to], { env: { PATH: "/usr/bin:/bin" }, user });

/** Only folders and plain files, none linked twice: what initdb makes, and nothing a planted link could turn. */
function onlyPlainFiles(dir: string): boolean {
  for (const name of readdirSync(dir)) {
    const s = lstatSync(join(dir, name));
    if (s.isDirectory()) {
      if (!onlyPlainFiles(join(dir, name))) return false;
    } else if (!s.isFile() || s.nlink !== 1) return false;
  }
  return true;
}

function chownTree(path: string, user: RunUser): void {
  chownSync(path, user.uid, user.gid);
  if (!lstatSync(path).isDirectory()) return;
  for (const name of readdirSync(path)) chownTree(join(path, name), user);
}

/**
 * Copies the cached cluster `key` to `data` (whose parent the unprivileged user owns) through a
 * folder of the run's own, `runDir`. False when the cache has no such entry.
 */
export async function copyCachedCluster(
  cache: string,
  key: string,
  o: { data: string; runDir: string; user: RunUser | undefined },
): Promise<boolean> {
  const entry = join(cache, key, "data");
  try {
    if (!lstatSync(entry).isDirectory()) return false;
  } catch {
    return false;
  }
  const staging = mkdtempSync(join(o.runDir, ".cluster-"));
  try {
    const r = await cp(entry, join(staging, "data"));
    if (r.code !== 0) return false;
    if (o.user) chownTree(join(staging, "data"), o.user);
    // rename(2) replaces nothing a planted link points at: an existing `data` makes it fail.
    renameSync(join(staging, "data"), o.data);
    return true;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * Keeps a copy of the fresh cluster at `data` as the cache entry `key`. Best effort: returns why not
 * when it could not (the run goes on with its own cluster either way).
 */
export async function keepCluster(cache: string, key: string, data: string): Promise<string | undefined> {
  let staging: string | undefined;
  try {
    mkdirSync(cache, { recursive: true, mode: 0o700 });
    staging = mkdtempSync(join(cache, ".new-"));
    const r = await cp(data, join(staging, "data"));
    if (r.code !== 0) return `cp: ${r.output.trim()}`;
    if (!onlyPlainFiles(join(staging, "data"))) return "it holds something other than folders and plain files";
    if (process.getuid?.() === 0) chownTree(join(staging, "data"), { name: "root", uid: 0, gid: 0 });
    renameSync(staging, join(cache, key));
    staging = undefined;
    return undefined;
  } catch (err) {
    // Another run kept the same cluster first: theirs serves.
    const code = (err as NodeJS.ErrnoException).code;
    return code === "ENOTEMPTY" || code === "EEXIST" ? undefined : String((err as Error).message ?? err);
  } finally {
    if (staging) rmSync(staging, { recursive: true, force: true });
  }
}
