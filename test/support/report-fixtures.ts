// Result documents for the report tests, as loadgate writes them (JSON round trip): a gate Result that
// carries its verdict, baseline and main's history, with a worker sweep and hostile text; and a
// baseline with a history of its own.

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_GATE } from "../../src/compare/gate.js";
import type { ResultDocument, StackResult } from "../../src/result/types.js";
import { compareWithBaseline } from "../../src/verdict/stored.js";
import { around, result } from "./results.js";
import { tempDir } from "./temp.js";

/** Text a forged Result might carry: it must show as text, never as markup. */
export const HOSTILE = `shop"><script>document.title="pwned"</script><img src="https://example.com/x.png" onerror="x()">`;

const history = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    sha: `${String(i).repeat(7)}${"a".repeat(33)}`,
    createdAt: `2026-11-${String(i + 1).padStart(2, "0")}T00:00:00Z`,
    throughput: 1000 + 10 * i,
    p50: 6 + i / 10,
    p99: 20 + i,
  }));

export function gateDocument(): ResultDocument {
  const base: StackResult = { ...result(around(1000, 20, 5)), history: history(6) };
  const head: StackResult = {
    ...result(around(900, 26, 7)),
    stack: { name: HOSTILE, file: "stack.yml", webserver: "Gunicorn <b>", framework: "Flask & co" },
    warnings: [HOSTILE],
    sweep: {
      points: [1, 2, 4, 8, 16].map((w, i) => ({ workers: w, throughput: 300 * (i + 1), p99: 30 - 2 * i, seconds: 5 })),
      chosen: 8,
      reason: "throughput stopped improving",
      seconds: 25,
    },
  };
  const comparison = compareWithBaseline(
    base,
    head,
    { ...DEFAULT_GATE, p99: 0.1, throughput: -0.05, errorRate: 0.01 },
    base.history,
  );
  return JSON.parse(
    JSON.stringify({
      schemaVersion: 2,
      tool: { name: "loadgate", version: "test" },
      createdAt: "2026-11-29T00:00:00Z",
      commit: { sha: "f".repeat(40), ref: "refs/pull/7/merge" },
      results: [head],
      reports: [{ stack: head.stack.name, baselineLabel: `abc1234 ${HOSTILE}`, baseline: base, comparison }],
    }),
  );
}

export function baselineDocument(): ResultDocument {
  const r: StackResult = { ...result(around(1000, 20, 4)), history: history(3) };
  return JSON.parse(
    JSON.stringify({
      schemaVersion: 2,
      tool: { name: "loadgate", version: "test" },
      createdAt: "2026-11-28T00:00:00Z",
      commit: { sha: "e".repeat(40), ref: "refs/heads/main" },
      results: [r],
    }),
  );
}

/** Writes the documents to a fresh folder; returns their paths. */
export function writeDocuments(docs: Record<string, ResultDocument>): { dir: string; files: Record<string, string> } {
  const dir = tempDir("lg-report-");
  const files: Record<string, string> = {};
  for (const [name, doc] of Object.entries(docs)) {
    files[name] = join(dir, name);
    writeFileSync(files[name], JSON.stringify(doc, null, 2));
  }
  return { dir, files };
}
