// Temp folders and files a test file makes, removed after its tests (afterAll, registered when this
// module is imported): the suite leaves nothing in the temp folder (test/support/temp-root.ts lists
// whatever is left at the end).
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";

const made: string[] = [];
afterAll(() => {
  for (const path of made.splice(0).reverse()) rmSync(path, { recursive: true, force: true });
});

/**
 * A fresh folder `<prefix>XXXXXX` under the temp folder, removed after the file's tests. `mode`, e.g.
 * 0o755, when the unprivileged user that runs PostgreSQL and PgBouncer must reach folders under it.
 */
export function tempDir(prefix: string, mode?: number): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  if (mode !== undefined) chmodSync(dir, mode);
  made.push(dir);
  return dir;
}

/** `path` (a file or folder made some other way) is removed after the file's tests; returns it. */
export function removeAfterAll(path: string): string {
  made.push(path);
  return path;
}
