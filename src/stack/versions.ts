import { join } from "node:path";
import { execCapture } from "../exec.js";
import type { Binaries } from "./binaries.js";

async function firstLine(command: string, args: string[]): Promise<string | undefined> {
  try {
    const r = await execCapture(command, args, { timeoutMs: 5000 });
    return r.output.trim().split("\n")[0] || undefined;
  } catch {
    return undefined;
  }
}

/** Versions of the components a stack uses, as each prints them. */
export async function componentVersions(
  binaries: Binaries,
  uses: { postgres: boolean; pgbouncer: boolean; nginx: boolean; python?: string },
): Promise<Record<string, string>> {
  const versions: Record<string, string> = { node: process.version };
  const add = (key: string, v: string | undefined, re: RegExp) => {
    const m = v ? re.exec(v) : null;
    if (m) versions[key] = m[1];
    else if (v) versions[key] = v;
  };
  if (uses.postgres && binaries.postgresBin)
    add("postgresql", await firstLine(join(binaries.postgresBin, "postgres"), ["--version"]), /(\d+(?:\.\d+)+)/);
  if (uses.pgbouncer && binaries.pgbouncer)
    add("pgbouncer", await firstLine(binaries.pgbouncer, ["--version"]), /(\d+(?:\.\d+)+)/);
  if (uses.nginx && binaries.nginx) add("nginx", await firstLine(binaries.nginx, ["-v"]), /nginx\/(\S+)/);
  if (uses.python) add("python", await firstLine(uses.python, ["--version"]), /Python (\S+)/);
  return versions;
}

/** nginx ≥ 1.19.5 takes `-e stderr`; older ones would first try to open /var/log/nginx/error.log. */
export function nginxSupportsErrorFlag(version: string | undefined): boolean {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(version ?? "");
  if (!m) return false;
  const [a, b, c] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return a > 1 || (a === 1 && (b > 19 || (b === 19 && c >= 5)));
}
