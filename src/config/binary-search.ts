// Where the stack's binaries are looked for: chosen from the environment when the plan is made.

import { delimiter } from "node:path";

export interface BinarySearch {
  /** Folders searched in order (PATH, then the sbin folders a non-root PATH may lack). */
  dirs: string[];
  /** Parent of PostgreSQL's versioned folders (Debian: /usr/lib/postgresql), or null. */
  postgresRoot: string | null;
}

/**
 * The default search, or only the folders in `override` (LOADGATE_BIN_PATH, colon-separated)
 * when it is set: for machines with components in unusual places, and for tests.
 */
export function binarySearch(path: string | undefined, override: string | undefined): BinarySearch {
  if (override !== undefined) return { dirs: override.split(delimiter).filter(Boolean), postgresRoot: null };
  return {
    dirs: [...(path ?? "").split(delimiter).filter(Boolean), "/usr/sbin", "/sbin", "/usr/local/sbin"],
    postgresRoot: "/usr/lib/postgresql",
  };
}
