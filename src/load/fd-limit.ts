// Every connection of the load is a socket, and every socket a file descriptor of this process.
// Under a low `ulimit -n` (1024 is common) many connections cannot all be opened: connect() fails
// with EMFILE. Checked before the load, and caught during it, as bad input (exit 2): the connections
// asked for do not fit the limit this process runs under, and nothing about the stack is wrong.

import { readdirSync, readFileSync } from "node:fs";
import { UserError } from "../errors.js";

/**
 * Descriptors kept free beyond the connections: CPU snapshots read /proc files, probes and psql open
 * sockets and pipes, logs are appended to, a timed-out connection reconnects.
 */
export const FD_RESERVE = 32;

/** The soft limit on open files of this process (`ulimit -n`), or undefined when unknown. */
export function openFileLimit(limits = readProc("/proc/self/limits")): number | undefined {
  const m = /^Max open files\s+(\d+|unlimited)\s+/m.exec(limits ?? "");
  if (!m) return undefined;
  return m[1] === "unlimited" ? Number.POSITIVE_INFINITY : Number(m[1]);
}

function readProc(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

/** Descriptors this process has open now. */
export function openFileCount(): number {
  try {
    return readdirSync("/proc/self/fd").length;
  } catch {
    return 0;
  }
}

/** The error for `connections` that do not fit `limit` with `open` descriptors already in use. */
export function socketLimitError(
  connections: number,
  limit: number | undefined,
  open: number,
  code = "EMFILE",
): UserError {
  const fit = limit === undefined ? undefined : Math.max(0, limit - open - FD_RESERVE);
  const limitText =
    limit === undefined
      ? "this process's limit on open files (ulimit -n)"
      : `this process may have ${limit} open files (ulimit -n ${limit}) and has ${open} open already, so about ${fit} connections fit`;
  const suggest = Math.max(4096, 2 ** Math.ceil(Math.log2(connections + open + FD_RESERVE)));
  return new UserError(
    `the load generator cannot open ${connections} connections (${code}: too many open files): ${limitText}. Raise ulimit -n (e.g. ulimit -n ${suggest} in the shell or step that runs loadgate) or lower connections (load.connections or --connections${fit !== undefined ? ` to ${fit} or fewer` : ""}).`,
  );
}

/** Throws socketLimitError when `connections` sockets would not fit under this process's open-file limit. */
export function checkSocketRoom(connections: number): void {
  const limit = openFileLimit();
  if (limit === undefined || limit === Number.POSITIVE_INFINITY) return;
  const open = openFileCount();
  if (connections + open + FD_RESERVE > limit) throw socketLimitError(connections, limit, open);
}
