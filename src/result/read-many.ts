// The Result files of one report (mode: report with result-file, `loadgate report a.json b.json`):
// read one at a time, each as any Result is (size, depth, schema), and no more bytes in all than a
// report needs, so a folder of forged files cannot exhaust the report job's memory.

import { UserError } from "../errors.js";
import { readBounded } from "./bounds.js";
import { parseResultDocument } from "./read.js";
import type { ResultDocument } from "./types.js";

/**
 * Bytes of Result files one report reads in all. A real Result is a few hundred kB, so this is a
 * matrix of well over a hundred jobs; the text of each file is dropped once it is parsed.
 */
export const MAX_REPORT_BYTES = 64 * 1024 * 1024;

export interface ReadFile {
  file: string;
  doc: ResultDocument;
}

/** Reads and validates `files` in order, one at a time; refuses once they hold more than `limit` bytes in all. */
export function readResultFiles(files: readonly string[], limit = MAX_REPORT_BYTES): ReadFile[] {
  let total = 0;
  const out: ReadFile[] = [];
  for (const file of files) {
    const text = readBounded(file);
    total += Buffer.byteLength(text);
    if (total > limit) {
      throw new UserError(
        `${file}: the Result files of this report hold more than ${limit} bytes in all; refused (a loadgate Result is a few hundred kB). Name fewer files, or the folder of one workflow run.`,
      );
    }
    out.push({ file, doc: parseResultDocument(text, file) });
  }
  return out;
}
