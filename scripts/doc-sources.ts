// The sources of the docs' generated parts, read from the repository (see docs-gen.ts).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { COMMAND_HELP, COMMANDS } from "../src/cli/help.js";
import type { DocSources } from "./docs-gen.js";

export function docSources(root: string): DocSources {
  return {
    action: parse(readFileSync(join(root, "action.yml"), "utf8")),
    commandHelp: Object.fromEntries(COMMANDS.map((c) => [c, COMMAND_HELP[c]])),
    stackSchema: JSON.parse(readFileSync(join(root, "schema/stack.schema.json"), "utf8")),
  };
}
