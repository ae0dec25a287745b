// Side effects: reading an app folder for detection, finding the repository it belongs to and its
// default branch, and writing init's files only when none of them exists.

import { execFileSync } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { UserError } from "../errors.js";
import type { AppFolder, Guessed } from "./draft.js";

const READ = /(?:\.(?:py|js|mjs|cjs|ts|go|sql|json|mod|txt|toml)|^manage\.py|^go\.sum|\.lock|lock\.yaml)$/;
const SKIP = new Set(["node_modules", "venv", "env", "__pycache__", "vendor", "dist", "build", "site-packages"]);
const MAX_FILES = 400;
const MAX_BYTES = 256 * 1024;
const MAX_DEPTH = 3;

/** The folder's small source and manifest files, a few levels deep, for detection; its other top-level files as "". */
export function readAppFolder(dir: string, shown: string): AppFolder {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new UserError(
      `${shown}: no such folder. Give the app's folder: loadgate init path/to/app. Nothing was written.`,
    );
  }
  const files = new Map<string, string>();
  const walk = (rel: string, depth: number) => {
    for (const entry of readdirSync(join(dir, rel), { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      if (files.size >= MAX_FILES) return;
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (depth < MAX_DEPTH && !entry.name.startsWith(".") && !SKIP.has(entry.name)) walk(path, depth + 1);
      } else if (entry.isFile() && READ.test(entry.name) && statSync(join(dir, path)).size <= MAX_BYTES) {
        files.set(path, readFileSync(join(dir, path), "utf8"));
      } else if (entry.isFile() && depth === 1) {
        // Present, not read (a large lockfile, a README): detection asks whether it is there.
        files.set(path, "");
      }
    }
  };
  walk("", 1);
  return { shown, name: basename(resolve(dir)), files };
}

/** The root of the git repository `dir` is in (the folder holding .git), or null. */
export function repositoryRoot(dir: string): string | null {
  for (let d = resolve(dir); ; d = dirname(d)) {
    if (existsSync(join(d, ".git"))) return d;
    if (dirname(d) === d) return null;
  }
}

/** The default branch: origin's HEAD when known; else main or master if it exists; else main. */
export function defaultBranch(root: string | null): Guessed<string> {
  const git = (...args: string[]) => {
    try {
      return execFileSync("git", ["-C", root ?? ".", ...args], { stdio: ["ignore", "pipe", "ignore"] })
        .toString()
        .trim();
    } catch {
      return "";
    }
  };
  if (root) {
    const origin = git("symbolic-ref", "--short", "refs/remotes/origin/HEAD").replace(/^origin\//, "");
    if (origin) return { value: origin };
    for (const b of ["main", "master"]) {
      if (git("rev-parse", "--verify", "--quiet", `refs/heads/${b}`)) {
        return {
          value: b,
          guess: `the local branch ${b} (no origin/HEAD to ask); the branch whose pushes store the baseline`,
        };
      }
    }
  }
  return { value: "main", guess: "main; write your default branch, whose pushes store the baseline" };
}

/** A path relative to `from`, with "/" separators ("." for the folder itself). */
export function posixRelative(from: string, to: string): string {
  return relative(from, to).split(sep).join("/") || ".";
}

/**
 * Writes each file, after checking that none exists (nothing is written when one does): init never
 * overwrites; nor when a file of `alsoRefused` exists (stack.yaml, read as the stack file too).
 */
export function writeNew(
  files: { path: string; shown: string; text: string }[],
  alsoRefused: { path: string; shown: string }[] = [],
): void {
  const shown = [...alsoRefused, ...files].filter((f) => exists(f.path)).map((f) => f.shown);
  if (shown.length > 0) {
    throw new UserError(
      `${shown.join(" and ")} already exist${shown.length === 1 ? "s" : ""}; loadgate init does not overwrite. Edit ${shown.length === 1 ? "it" : "them"}, or move ${shown.length === 1 ? "it" : "them"} away and run init again${files.length > 1 ? " (--no-workflow writes the stack file alone)" : ""}. Nothing was written.`,
    );
  }
  for (const f of files) {
    mkdirSync(dirname(f.path), { recursive: true });
    writeFileSync(f.path, f.text, { flag: "wx" });
  }
}

function exists(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}
