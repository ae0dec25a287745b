// Where the built-in stacks are: `stacks/` next to the bundle's (or the sources') folder.

import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { UserError } from "../errors.js";

/** The folder holding the built-in stacks: `stacks/` next to the bundle's (or the sources') folder. */
export function builtInStacksDir(from = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "stacks", "gunicorn-flask", "stack.yml"))) return join(dir, "stacks");
    if (dirname(dir) === dir) break;
  }
  throw new UserError("loadgate study: the built-in stacks (stacks/) are not next to this copy of loadgate.");
}
