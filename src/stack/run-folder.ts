import { spawnSync } from "node:child_process";
import {
  chmodSync,
  chownSync,
  closeSync,
  constants,
  fchownSync,
  mkdirSync,
  openSync,
  statfsSync,
  writeSync,
} from "node:fs";
import { dirname } from "node:path";
import { messageOf, StackError } from "../errors.js";
import type { RunUser } from "./run-user.js";

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** Below this much free space a component's failure is put down to a full disk. */
const NEARLY_FULL_BYTES = 1024 * 1024;

/** Free and total bytes of the file system holding `folder`, or undefined when it cannot be read. */
function space(folder: string): { free: number; size: number } | undefined {
  try {
    const s = statfsSync(folder);
    return { free: s.bavail * s.bsize, size: s.blocks * s.bsize };
  } catch {
    return undefined;
  }
}

/**
 * When `err` (a component that failed, a file that could not be written) came from the run folder's
 * file system filling up (ENOSPC, "No space left on device", or less than 1 MB left), a StackError
 * that says so first: which folder, how much room, what goes there and what to do, then the
 * original message. Otherwise `err` unchanged. Call it before the stack goes down: removing the
 * database's files frees the space again.
 */
export function explainFullDisk(err: unknown, runDir: string): unknown {
  const text = messageOf(err);
  const s = space(runDir);
  const enospc =
    (err as NodeJS.ErrnoException)?.code === "ENOSPC" ||
    /No space left on device|ENOSPC|could not extend file/i.test(text);
  if (!enospc && !(s && s.free < NEARLY_FULL_BYTES)) return err;
  // The failed step may have removed what it wrote (initdb does): the space free now can be plenty.
  const room = s ? ` (a file system of ${mb(s.size)}, ${mb(s.free)} free when loadgate looked)` : "";
  return new StackError(
    `The run folder ${runDir} ran out of space${room}: no space left on device. PostgreSQL's data, the components' logs and configuration go there (a fresh database alone takes about 40 MB, plus its schema and seed). Free space there, or point RUNNER_TEMP (or TMPDIR) at a folder with more room.\n${text}`,
  );
}

// Root's own writes in a run folder. When loadgate runs as root, the run folder is root's (0755) and
// only the parts an unprivileged component must write are given to that user. Root never follows a
// symbolic link there: folders are made with mkdir (which fails on anything already in the way),
// files are opened with O_NOFOLLOW and O_EXCL (or O_APPEND for logs), ownership is handed over on the
// open file descriptor, and trees are removed by `rm -rf`, which does not follow links either.

/** An entry of the run folder that loadgate did not expect there: refuse it, do not follow it. */
function inTheWay(path: string, err: unknown): never {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === "EEXIST" || code === "ELOOP")
    throw new StackError(
      `${path} already exists in the run folder, and loadgate made no such entry (a symbolic link or a file another process planted): loadgate does not follow or reuse it. Remove it and run again, and check what else writes to ${dirname(path)}.`,
    );
  throw err;
}

/**
 * Makes `path` (its parent is a folder loadgate made) with `mode`; given to `owner` when set. Fails
 * when anything is already there.
 */
export function makeDir(path: string, mode: number, owner?: RunUser): string {
  try {
    mkdirSync(path, { mode });
  } catch (err) {
    inTheWay(path, err);
  }
  // No one else can have swapped it: its parent is root's (or, when not root, everything is ours).
  chmodSync(path, mode);
  if (owner) chownSync(path, owner.uid, owner.gid);
  return path;
}

/** Writes a new file (never one already there, never through a link), `owner`'s when set. */
export function writeNewFile(path: string, text: string, mode = 0o644, owner?: RunUser): void {
  let fd: number;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
  } catch (err) {
    inTheWay(path, err);
  }
  try {
    if (owner) fchownSync(fd, owner.uid, owner.gid);
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

/** Opens a component's log for appending; a link in its place is refused, not followed. */
export function openLog(path: string): number {
  try {
    return openSync(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW, 0o644);
  } catch (err) {
    return inTheWay(path, err);
  }
}

/**
 * Removes a tree with `rm -rf` (it does not follow symbolic links, even when one is swapped in while
 * it runs), as `user` when set: a folder that user owns is removed by that user, not by root.
 */
export function removeTree(path: string, user?: RunUser): void {
  spawnSync("rm", ["-rf", "--", path], {
    stdio: "ignore",
    env: { PATH: "/usr/bin:/bin" },
    uid: user?.uid,
    gid: user?.gid,
  });
}
