// Issue 26: a forged Result is refused where it enters, naming the field; stored Results of the
// previous schemaVersion keep working (migrated) or are refused with how to refresh them.

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { appendEntry, parseBranchHistory, serialize } from "../../src/baseline/branch-data.js";
import { BASELINE_KEY_VERSION, baselineKey } from "../../src/baseline/store.js";
import { checkDepth, MAX_RESULT_DEPTH, readBounded } from "../../src/result/bounds.js";
import { parseResultDocument } from "../../src/result/read.js";
import { readResultFiles } from "../../src/result/read-many.js";
import { SCHEMA_VERSION } from "../../src/result/types.js";
import { PAYLOAD } from "../support/forged.js";
import { around, result } from "../support/results.js";
import { tempDir } from "../support/temp.js";
import { messageOf } from "../support/user-error.js";

// biome-ignore lint/suspicious/noExplicitAny: a forged document is any shape.
type Json = Record<string, any>;

function document(version: number = SCHEMA_VERSION): Json {
  const r = {
    ...result(around(1000, 20, 5)),
    history: [{ sha: "a".repeat(40), createdAt: "2026-11-01T00:00:00Z", throughput: 1000, p50: 6, p99: 20 }],
  };
  r.summary.pooled = { trials: 5, requests: 50_000, latency: { p50: 6, p90: 12, p99: 20, p999: 30, max: 40 } };
  r.cpu = {
    wallSeconds: 50,
    cores: 4,
    seconds: { app: 100, loadgen: 40 },
    share: { app: 0.5, loadgen: 0.2 },
    loadGeneratorCores: 0.8,
  };
  r.placement = { pinned: true, loadGenerator: "0", stack: "1-3" };
  return JSON.parse(
    JSON.stringify({
      schemaVersion: version,
      tool: { name: "loadgate", version: "t" },
      createdAt: "2026-11-29T00:00:00Z",
      results: [r],
    }),
  );
}

const refusal = (doc: Json) => messageOf(() => parseResultDocument(JSON.stringify(doc), "forged.json"));

describe("every field a report reads is typed: a forged one is refused, naming it", () => {
  it("accepts the document the forgeries start from", () => {
    expect(parseResultDocument(JSON.stringify(document()), "ok.json").results[0]!.placement.loadGenerator).toBe("0");
  });

  const forgeries: [string, (r: Json) => void, RegExp][] = [
    [
      "summary.errors (the issue's example)",
      (r) => {
        r.summary.errors = PAYLOAD;
      },
      /results\[0\]\.summary\.errors: expected a number, found "0\\n\\n## Approved/,
    ],
    [
      "load as text",
      (r) => {
        r.load = PAYLOAD;
      },
      /results\[0\]\.load: expected an object/,
    ],
    [
      "a field load does not have",
      (r) => {
        r.load.note = PAYLOAD;
      },
      /results\[0\]\.load\.note: not a field a Result has/,
    ],
    [
      "load.rate",
      (r) => {
        r.load.rate = PAYLOAD;
      },
      /results\[0\]\.load\.rate/,
    ],
    [
      "load.connections",
      (r) => {
        r.load.connections = PAYLOAD;
      },
      /results\[0\]\.load\.connections: expected a whole number/,
    ],
    [
      "load.warmupSeconds",
      (r) => {
        r.load.warmupSeconds = PAYLOAD;
      },
      /results\[0\]\.load\.warmupSeconds: expected a number/,
    ],
    [
      "load.trials",
      (r) => {
        r.load.trials = PAYLOAD;
      },
      /results\[0\]\.load\.trials: expected a whole number/,
    ],
    [
      "load.durationSeconds",
      (r) => {
        r.load.durationSeconds = -1;
      },
      /results\[0\]\.load\.durationSeconds: must be >= 0/,
    ],
    [
      "load.mode",
      (r) => {
        r.load.mode = PAYLOAD;
      },
      /results\[0\]\.load\.mode: must be equal to one of the allowed values \(closed-loop, open-loop\)/,
    ],
    [
      "a trial's index",
      (r) => {
        r.trials[1].index = PAYLOAD;
      },
      /results\[0\]\.trials\[1\]\.index: expected a whole number/,
    ],
    [
      "a trial's errors.total",
      (r) => {
        r.trials[2].errors.total = PAYLOAD;
      },
      /results\[0\]\.trials\[2\]\.errors\.total: expected a number/,
    ],
    [
      "a history entry's sha",
      (r) => {
        r.history[0].sha = 12345;
      },
      /results\[0\]\.history\[0\]\.sha: expected a string, found 12345/,
    ],
    [
      "a history entry as text",
      (r) => {
        r.history[0] = PAYLOAD;
      },
      /results\[0\]\.history\[0\]: expected an object/,
    ],
    [
      "placement missing",
      (r) => {
        delete r.placement;
      },
      /results\[0\]\.placement: missing/,
    ],
    [
      "placement.loadGenerator",
      (r) => {
        r.placement.loadGenerator = PAYLOAD;
      },
      /results\[0\]\.placement\.loadGenerator: must match pattern/,
    ],
    [
      "cpu as text",
      (r) => {
        r.cpu = PAYLOAD;
      },
      /results\[0\]\.cpu: expected/,
    ],
    [
      "cpu.cores",
      (r) => {
        r.cpu.cores = PAYLOAD;
      },
      /results\[0\]\.cpu\.cores: expected a whole number/,
    ],
    [
      "a cpu share",
      (r) => {
        r.cpu.share.app = PAYLOAD;
      },
      /results\[0\]\.cpu\.share\.app: expected a number/,
    ],
    [
      "environment.logicalCores",
      (r) => {
        r.environment.logicalCores = PAYLOAD;
      },
      /results\[0\]\.environment\.logicalCores: expected a whole number/,
    ],
    [
      "summary.pooled.trials",
      (r) => {
        r.summary.pooled.trials = PAYLOAD;
      },
      /results\[0\]\.summary\.pooled\.trials: expected a whole number/,
    ],
    [
      "too many warnings",
      (r) => {
        r.warnings = Array.from({ length: 101 }, () => "w");
      },
      /results\[0\]\.warnings: must NOT have more than 100 items/,
    ],
  ];
  for (const [what, forge, message] of forgeries) {
    it(`refuses ${what}`, () => {
      const doc = document();
      forge(doc.results[0]);
      expect(refusal(doc)).toMatch(new RegExp(`^forged\\.json: ${message.source}`));
    });
  }

  it("refuses a field the document does not have, at the top level too", () => {
    expect(refusal({ ...document(), comment: PAYLOAD })).toMatch(/^forged\.json: comment: not a field a Result has/);
  });
});

describe("depth and size are checked on the raw bytes, before parsing", () => {
  it("refuses a document nested two million levels deep inside load, without overflowing anything", () => {
    const deep = `${"[".repeat(2_000_000)}${"]".repeat(2_000_000)}`;
    const text = JSON.stringify(document()).replace('"load":{', `"load":{"deep":${deep},`);
    expect(messageOf(() => parseResultDocument(text, "deep.json"))).toMatch(
      new RegExp(`^deep\\.json: nested more than ${MAX_RESULT_DEPTH} levels deep`),
    );
  });

  it("counts brackets in structure only, not in strings", () => {
    expect(() => checkDepth(JSON.stringify({ a: "[[[[{{{{".repeat(10), b: '\\"[[[' }), "s", 2)).not.toThrow();
    expect(() => checkDepth("[[[]]]", "s", 2)).toThrow(/nested more than 2 levels/);
  });

  it("reads a file through one descriptor: a folder or a missing file is a clear refusal", () => {
    const dir = tempDir("lg-bounds-");
    expect(messageOf(() => readBounded(dir))).toMatch(/not a regular file/);
    expect(messageOf(() => readBounded(join(dir, "none.json")))).toMatch(/none\.json: cannot read \(ENOENT\)/);
    writeFileSync(join(dir, "ten.json"), "0123456789");
    expect(messageOf(() => readBounded(join(dir, "ten.json"), 9))).toMatch(
      /10 bytes, more than the 9 a Result may have/,
    );
    expect(readBounded(join(dir, "ten.json"), 10)).toBe("0123456789");
  });

  it("a report reads its files one at a time, within a byte budget for all of them", () => {
    const dir = tempDir("lg-many-");
    const files = ["a.json", "b.json", "c.json"].map((n) => join(dir, n));
    for (const f of files) writeFileSync(f, JSON.stringify(document()));
    const size = JSON.stringify(document()).length;
    expect(readResultFiles(files, 3 * size).map((d) => d.doc.results.length)).toEqual([1, 1, 1]);
    expect(messageOf(() => readResultFiles(files, 2 * size + 1))).toMatch(
      /c\.json: the Result files of this report hold more than \d+ bytes in all; refused/,
    );
    mkdirSync(join(dir, "sub"));
    expect(messageOf(() => readResultFiles([files[0]!, join(dir, "sub")]))).toMatch(/sub: not a regular file/);
  });
});

describe("stored Results of schemaVersion 1 keep working", () => {
  it("reads (migrates) a version 1 document that passes today's checks", () => {
    const doc = parseResultDocument(JSON.stringify(document(1)), "old.json");
    expect(doc.schemaVersion).toBe(2);
    expect(doc.results[0]!.summary.errors).toBe(0);
  });

  it("refuses a version 1 document that does not, saying how to refresh it", () => {
    const old = document(1);
    old.results[0].summary.errors = "3";
    const message = refusal(old);
    expect(message).toMatch(/^forged\.json: results\[0\]\.summary\.errors: expected a number, found "3"/);
    expect(message).toMatch(/written by an earlier loadgate \(schemaVersion 1\)/);
    expect(message).toMatch(/run mode: baseline on the default branch \(README: "Keeping the baseline fresh"\)/);
    // The same fault in a current document is not an old one: no refresh advice.
    const current = document();
    current.results[0].summary.errors = "3";
    expect(refusal(current)).not.toMatch(/earlier loadgate/);
  });

  it("refuses any other version", () => {
    expect(refusal(document(3))).toMatch(/^forged\.json: schemaVersion: expected 2, found 3/);
  });

  it("reads a data branch history file of version 1; a bad entry says to delete the file", () => {
    const entry = {
      sha: "1".repeat(40),
      ref: "refs/heads/main",
      createdAt: "2026-11-01T00:00:00Z",
      toolVersion: "old",
      result: result(around(1000, 20)),
    };
    const v1 = JSON.parse(serialize(appendEntry(undefined, "demo", entry)));
    v1.schemaVersion = 1;
    const read = parseBranchHistory(JSON.stringify(v1), "baselines/demo.json");
    expect(read.schemaVersion).toBe(2);
    expect(read.entries).toHaveLength(1);
    // Written back as the current version.
    expect(JSON.parse(serialize(appendEntry(read, "demo", { ...entry, sha: "2".repeat(40) }))).schemaVersion).toBe(2);
    v1.entries[0].result.load.connections = "50";
    const message = messageOf(() => parseBranchHistory(JSON.stringify(v1), "baselines/demo.json"));
    expect(message).toMatch(/entries\[0\]: results\[0\]\.load\.connections: expected a whole number/);
    expect(message).toMatch(/schemaVersion 1\).*Delete the file from the data branch/);
  });

  it("refuses a data branch file nested too deeply before parsing it", () => {
    const deep = `{"schemaVersion":2,"entries":[${"[".repeat(100_000)}${"]".repeat(100_000)}]}`;
    expect(messageOf(() => parseBranchHistory(deep, "baselines/x.json"))).toMatch(/nested more than/);
  });

  it("keeps the cache keys of the baselines already stored", () => {
    expect(BASELINE_KEY_VERSION).toBe(1);
    expect(baselineKey(BASELINE_KEY_VERSION, "shop", "abc", "f".repeat(40))).toBe(
      `loadgate-1-shop-abc-${"f".repeat(40)}`,
    );
  });
});
