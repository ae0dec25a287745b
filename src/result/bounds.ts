// The limits a Result file meets before it is parsed: its size and how deeply it nests. Both are
// checked on the raw bytes, so a forged file is refused before JSON.parse, the schema or a
// renderer (JSON.stringify recurses) ever walks it.

import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { UserError } from "../errors.js";

/** The largest Result file read: far above any real one, small enough that a forged one cannot exhaust memory. */
export const MAX_RESULT_BYTES = 20 * 1024 * 1024;

/**
 * The deepest nesting of objects and arrays a Result may have. loadgate writes at most 8 levels
 * (a baseline history file: entries → result → trials → latency); a file nested two million
 * levels deep would pass JSON.parse and then overflow the stack of anything that recurses over it.
 */
export const MAX_RESULT_DEPTH = 16;

/** Refuses text that nests objects and arrays deeper than `limit`; strings are skipped, so `"[[["` counts nothing. */
export function checkDepth(text: string, source: string, limit = MAX_RESULT_DEPTH): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) {
        throw new UserError(
          `${source}: nested more than ${limit} levels deep (at character ${i}); refused (a loadgate Result nests at most 8). Give a file written by loadgate --json.`,
        );
      }
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
}

/**
 * Reads a regular file of at most `limit` bytes through one descriptor (the size checked is the
 * size read, even if the file grows meanwhile). A user's mistake (missing, a folder, too large)
 * is a UserError.
 */
export function readBounded(file: string, limit = MAX_RESULT_BYTES): string {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch (err) {
    throw new UserError(`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? err}).`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new UserError(`${file}: not a regular file; give a Result JSON file.`);
    if (st.size > limit) throw tooLarge(file, st.size, limit);
    const buf = Buffer.alloc(Math.min(st.size, limit) + 1);
    let got = 0;
    for (let n = 1; n > 0 && got < buf.length; got += n) n = readSync(fd, buf, got, buf.length - got, got);
    if (got > limit) throw tooLarge(file, got, limit);
    return buf.subarray(0, got).toString("utf8");
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? err}).`);
  } finally {
    closeSync(fd);
  }
}

function tooLarge(file: string, size: number, limit: number): UserError {
  return new UserError(
    `${file}: ${size} bytes, more than the ${limit} a Result may have; refused (a loadgate Result is a few hundred kB at most).`,
  );
}
