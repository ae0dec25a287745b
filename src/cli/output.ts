import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/** Writes an output file (--json, --markdown, --out), creating its folder. */
export function writeOutput(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text.endsWith("\n") ? text : `${text}\n`);
}
