// Which Result files a `mode: report` run reads: a file, a folder (every *.json under it, as
// actions/download-artifact lays out one folder per artifact), or a glob, one or more per line or
// comma. Reading only: nothing here decides where loadgate writes.

import { lstatSync, readdirSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import * as glob from "@actions/glob";
import { UserError } from "../errors.js";

/** More Result files than any matrix needs; beyond it the input is refused rather than read. */
export const MAX_RESULT_FILES = 256;
const MAX_DEPTH = 4;

/** The Result files `specs` name, sorted and without duplicates; a clear error when one names nothing. */
export async function collectResultFiles(specs: string[], workspace: string, input = "result-file"): Promise<string[]> {
  const found = new Set<string>();
  for (const spec of specs) {
    const path = isAbsolute(spec) ? spec : resolve(workspace, spec);
    const kind = kindOf(path);
    let files: string[];
    if (kind === "file") files = [path];
    else if (kind === "dir") files = jsonFilesUnder(path, MAX_DEPTH);
    else if (/[*?[]/.test(spec)) {
      const globber = await glob.create(path, { followSymbolicLinks: false, matchDirectories: false });
      files = (await globber.glob()).filter((f) => kindOf(f) === "file");
    } else {
      throw new UserError(
        `Input ${input}: ${JSON.stringify(spec)} does not exist (looked for ${path}). Give a Result JSON, a folder of them (as actions/download-artifact writes), or a glob like results/**/*.json.`,
      );
    }
    if (files.length === 0) {
      throw new UserError(
        `Input ${input}: ${JSON.stringify(spec)} names no Result file (${kind === "dir" ? `no *.json under ${path}` : "the glob matched nothing"}). Did every job upload its Result, and did the download step run?`,
      );
    }
    for (const f of files) found.add(f);
    if (found.size > MAX_RESULT_FILES) {
      throw new UserError(
        `Input ${input}: more than ${MAX_RESULT_FILES} Result files; name fewer (a folder per workflow run).`,
      );
    }
  }
  return [...found].sort();
}

function kindOf(path: string): "file" | "dir" | "none" {
  try {
    // lstat: a symbolic link is neither followed nor read.
    const st = lstatSync(path);
    return st.isFile() ? "file" : st.isDirectory() ? "dir" : "none";
  } catch {
    return "none";
  }
}

function jsonFilesUnder(dir: string, depth: number): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isFile() && e.name.endsWith(".json")) out.push(p);
    else if (e.isDirectory() && depth > 1) out.push(...jsonFilesUnder(p, depth - 1));
    if (out.length > MAX_RESULT_FILES) break;
  }
  return out;
}
