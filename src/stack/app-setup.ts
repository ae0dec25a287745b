import { createHash } from "node:crypto";
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative } from "node:path";
import type { AppSetup, StackSpec } from "../config/stack-spec.js";
import { UserError } from "../errors.js";
import { type AppEnvContext, appEnvironment } from "./app-env.js";
import { fillPlaceholders } from "./configs.js";
import { type LaunchContext, newLaunch, tearDown } from "./launch.js";
import { runSetupStep } from "./setup-step.js";

export interface AppSetupContext extends LaunchContext, AppEnvContext {
  /** loadgate's cache folder (virtual environments, setup markers). */
  cacheDir: string;
}

/** One key file's contribution to the cache key: its name (relative to the app folder) and bytes. */
export interface KeyFile {
  name: string;
  bytes: Uint8Array;
}

/** What a successful setup leaves in the cache folder. */
export interface SetupMarker {
  key: string;
  command: string;
  appDir: string;
  /** sha256 of each key file (a folder's files one by one), to say which changed. */
  files: Record<string, string>;
  at: string;
}

/**
 * The cache key of app.setup: the command, every key file's name and bytes, and the Python
 * environment it runs with (its folder is named by the requirements' hash). Pure.
 */
export function setupKey(command: string, files: readonly KeyFile[], pythonDir?: string): string {
  const h = createHash("sha256").update("loadgate app.setup 1\0").update(command).update("\0");
  for (const f of files) h.update(f.name).update(`\0${f.bytes.length}\0`).update(f.bytes);
  if (pythonDir) h.update(`\0python:${pythonDir}`);
  return h.digest("hex");
}

/** Each key file's own sha256, by name. Pure. */
export function fileHashes(files: readonly KeyFile[]): Record<string, string> {
  return Object.fromEntries(files.map((f) => [f.name, createHash("sha256").update(f.bytes).digest("hex")]));
}

/** The marker of one app folder and command: one file each under <cacheDir>/setup. Pure. */
export function markerFile(cacheDir: string, appDir: string, command: string): string {
  const id = createHash("sha256").update(appDir).update("\0").update(command).digest("hex").slice(0, 16);
  return join(cacheDir, "setup", `${id}.json`);
}

/** The current key of the setup: null when no file keys it. */
export interface CurrentKey {
  key: string;
  files: Record<string, string>;
}

/**
 * Whether the setup must run, and why; pure. `current` is null when no file keys it (it then runs
 * every time); `missing` are the `creates` paths that do not exist.
 */
export function setupDecision(
  current: CurrentKey | null,
  marker: SetupMarker | undefined,
  missing: readonly string[],
): { run: true; reason: string } | { run: false } {
  if (current === null) return { run: true, reason: "no files key it, so it runs every time" };
  if (!marker) return { run: true, reason: "no earlier success for this folder and command" };
  if (marker.key !== current.key) {
    const names = new Set([...Object.keys(current.files), ...Object.keys(marker.files ?? {})]);
    const changed = [...names].filter((n) => current.files[n] !== marker.files?.[n]);
    const shown = changed.length > 3 ? [...changed.slice(0, 3), `${changed.length - 3} more`] : changed;
    return {
      run: true,
      reason: changed.length > 0 ? `changed: ${shown.join(", ")}` : "the Python environment it runs with changed",
    };
  }
  if (missing.length > 0) return { run: true, reason: `missing: ${missing.join(", ")} (app.setup.creates)` };
  return { run: false };
}

/** The key files' contents: a file as it is, a folder as every file under it in path order. */
export function readKeyFiles(paths: readonly string[], appDir: string): KeyFile[] {
  const out: KeyFile[] = [];
  const walk = (abs: string) => {
    const name = relative(appDir, abs) || ".";
    let st: ReturnType<typeof lstatSync>;
    try {
      st = lstatSync(abs);
    } catch (err) {
      throw new UserError(
        `app.setup.files: cannot read ${abs} (${(err as NodeJS.ErrnoException).code ?? err}); name files that exist before the setup runs.`,
      );
    }
    if (st.isSymbolicLink()) out.push({ name, bytes: Buffer.from(`symlink:${readlinkSync(abs)}`) });
    else if (st.isDirectory()) for (const e of readdirSync(abs).sort()) walk(join(abs, e));
    else if (st.isFile()) out.push({ name, bytes: readFileSync(abs) });
  };
  for (const p of paths) walk(p);
  return out;
}

function readMarker(file: string): SetupMarker | undefined {
  try {
    const m = JSON.parse(readFileSync(file, "utf8")) as SetupMarker;
    return typeof m.key === "string" ? m : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs the stack's app.setup unless its marker says the same command already succeeded on the same
 * key files (and what it `creates` is there). The marker is written only after a success, with the
 * key of the files as the command left them. Returns what happened, for the caller's log.
 */
export async function ensureAppSetup(spec: StackSpec, ctx: AppSetupContext): Promise<"none" | "cached" | "ran"> {
  const setup: AppSetup | null = spec.app.setup;
  if (!setup) return "none";
  const appDir = spec.app.cwd;
  const command = fillPlaceholders(setup.command, { stack_dir: spec.dir });
  const marker = markerFile(ctx.cacheDir, appDir, command);
  const keyOf = (): CurrentKey | null => {
    if (setup.files.length === 0) return null;
    const files = readKeyFiles(setup.files, appDir);
    return { key: setupKey(command, files, ctx.python?.dir), files: fileHashes(files) };
  };
  const missing = () => setup.creates.filter((p) => !existsSync(p)).map((p) => relative(appDir, p) || ".");
  const names = setup.files.map((f) => relative(appDir, f) || ".").join(", ");
  const before = readMarker(marker);
  const decision = setupDecision(keyOf(), before, missing());
  if (!decision.run) {
    ctx.log(`app.setup: cached (${names} unchanged since it succeeded at ${before?.at}; marker ${marker})`);
    return "cached";
  }
  ctx.log(`app.setup: running (${decision.reason})`);
  rmSync(marker, { force: true });
  const launch = newLaunch(`${spec.name}-setup`, ctx);
  try {
    await runSetupStep(launch, {
      field: "app.setup",
      name: "app-setup",
      command,
      cwd: appDir,
      env: appEnvironment(ctx, spec.app.env, { stack_dir: spec.dir }, true),
      timeoutSeconds: setup.timeoutSeconds,
      where: `${spec.file}:${setup.line}`,
      timeoutHint: "app.setup: { command: …, timeout: 20m }",
    });
  } catch (err) {
    await tearDown(launch, "data").catch((downErr) => ctx.log(String((downErr as Error).message ?? downErr)));
    throw err;
  }
  await tearDown(launch, "all");
  const current = keyOf();
  if (current !== null) {
    const left = missing();
    if (left.length > 0) {
      ctx.log(
        `app.setup: the command did not make ${left.join(", ")} (app.setup.creates), so it will run again next time`,
      );
    }
    mkdirSync(dirname(marker), { recursive: true });
    const record: SetupMarker = { ...current, command, appDir, at: new Date().toISOString() };
    writeFileSync(marker, `${JSON.stringify(record, null, 2)}\n`);
  }
  return "ran";
}
