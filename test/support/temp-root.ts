// vitest globalSetup: the suite's own temp folder. TMPDIR points at a fresh folder for the whole run
// (the test workers and every process they start inherit it); at the end whatever is left in it is
// listed, by kind, and removed, and new entries in the system temp folder are listed too.
//
// Tests remove what they make (test/support/temp.ts), so anything left is either a test that forgot
// or the product's: `loadgate-*` (run folders, src/stack/launch.ts; A/B work folders, src/engine/ab.ts;
// the data branch's work folder, src/baseline/branch-store.ts) and `.loadgate-check-*` (the writability
// check, src/config/cli-plan.ts). A run keeps its logs after a failure on purpose (its message points
// at them; src/stack/stack.ts, down(keepLogs)): those are listed, not failed on. A product folder that
// still holds PostgreSQL's data, an A/B or data-branch work folder, or a writability check fails the run.
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The mkdtemp suffix (6 characters) and what follows a name's stem, for grouping: `lg-stack-*`. */
const stem = (name: string) => name.replace(/[A-Za-z0-9_]{6}$/, "*").replace(/-\d+(\.json)?$/, "-*$1");

function du(path: string): number {
  try {
    const s = statSync(path);
    if (!s.isDirectory()) return s.size;
    return readdirSync(path).reduce((n, e) => n + du(join(path, e)), 0);
  } catch {
    return 0;
  }
}

function grouped(names: string[]): string {
  const counts = new Map<string, number>();
  for (const n of names) counts.set(stem(n), (counts.get(stem(n)) ?? 0) + 1);
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([s, n]) => `${s} ${n}`)
    .join(", ");
}

export default function setup(): () => void {
  const system = tmpdir();
  const before = new Set(readdirSync(system));
  const root = mkdtempSync(join(system, "lg-suite-"));
  // Like /tmp: PostgreSQL and PgBouncer run as an unprivileged user that must reach run folders under it.
  chmodSync(root, 0o1777);
  process.env.TMPDIR = root;

  return () => {
    process.env.TMPDIR = system;
    const left = readdirSync(root);
    const product = left.filter((n) => /^\.?loadgate-/.test(n));
    const tests = left.filter((n) => !product.includes(n));
    const bugs = product.filter(
      (n) => !/^loadgate-/.test(n) || /^loadgate-(ab|branch)-/.test(n) || existsSync(join(root, n, "pg", "data")),
    );
    const keptLogs = product.filter((n) => !bugs.includes(n));
    const lines: string[] = [];
    if (tests.length > 0)
      lines.push(
        `temp folder: ${tests.length} left by tests (${(du(root) / 2 ** 20).toFixed(1)} MB in all): ${grouped(tests)}`,
      );
    if (keptLogs.length > 0)
      lines.push(
        `temp folder: ${keptLogs.length} run folder(s) the product kept after a failed run (logs): ${grouped(keptLogs)}`,
      );
    if (bugs.length > 0)
      lines.push(
        `temp folder: ${bugs.length} product folder(s) left that a run must remove: ${bugs
          .map((n) => `${n}${existsSync(join(root, n, "pg", "data")) ? " (with PostgreSQL's data)" : ""}`)
          .join(", ")}`,
      );
    const fresh = readdirSync(system).filter((n) => !before.has(n) && n !== root.slice(system.length + 1));
    // lg-suite-*: the other integration lane's own folder (scripts/test-run.mjs runs two vitest processes).
    const ours = fresh.filter((n) => /^(lg-|\.?loadgate-)/.test(n) && !n.startsWith("lg-suite-"));
    if (ours.length > 0)
      lines.push(
        `system temp folder ${system}: ${ours.length} new while the suite ran (this suite despite TMPDIR, or other work on the machine): ${grouped(ours)}`,
      );
    for (const l of lines) console.error(l);
    rmSync(root, { recursive: true, force: true });
    if (bugs.length > 0) process.exitCode = 1;
  };
}
