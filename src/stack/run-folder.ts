import { statfsSync } from "node:fs";
import { messageOf, StackError } from "../errors.js";

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
