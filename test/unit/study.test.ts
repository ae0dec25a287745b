import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadStackFile } from "../../src/config/stack-file.js";
import { AS_PUBLISHED, planStudy, STUDY_DEFAULTS } from "../../src/config/study-plan.js";
import {
  agreementLines,
  orderedOutcomes,
  studyAgreement,
  studyMarkdown,
  studyTextTable,
} from "../../src/report/study-table.js";
import { STUDY_ROWS, selectRows } from "../../src/study/rows.js";
import { builtInStacksDir } from "../../src/study/stacks-dir.js";
import { around, result } from "../support/results.js";

const io = { cwd: process.cwd(), env: {}, isTTY: false };

describe("the study's rows", () => {
  it("has all thirteen, each with a built-in stack that loads", () => {
    expect(STUDY_ROWS).toHaveLength(13);
    const dir = builtInStacksDir();
    for (const r of STUDY_ROWS) {
      const spec = loadStackFile(join(dir, r.stack, "stack.yml"));
      expect(spec.name).toBe(r.stack);
      expect(spec.app.webserver).toBe(r.webserver);
      expect(spec.app.framework).toBe(r.framework);
      expect(spec.database?.seed).toMatch(/stacks\/common\/seed\.sql$/);
      expect(spec.proxy?.upstream).toBe(r.stack === "uwsgi-uwsgi-bottle" ? "uwsgi" : "http");
    }
  });
  it("installs meinheld without its dependency pins in the three meinheld rows", () => {
    const dir = builtInStacksDir();
    for (const r of STUDY_ROWS) {
      const noDeps = loadStackFile(join(dir, r.stack, "stack.yml")).app.python?.noDeps ?? [];
      expect(noDeps).toEqual(r.webserver.includes("meinheld") ? ["meinheld==1.0.2"] : []);
    }
  });
  it("selects rows by name in the study's order and names the unknown ones", () => {
    expect(selectRows([]).rows).toHaveLength(13);
    expect(selectRows(["daphne-starlette", "gunicorn-flask"]).rows.map((r) => r.stack)).toEqual([
      "gunicorn-flask",
      "daphne-starlette",
    ]);
    expect(selectRows(["gunicorn-flak"]).unknown).toEqual(["gunicorn-flak"]);
  });
});

describe("loadgate study's plan", () => {
  it("short defaults, the stack files' workers, flags over both", () => {
    const plan = planStudy(["gunicorn-flask"], io, "t", builtInStacksDir());
    expect(plan.rows[0].stack.load).toMatchObject({
      warmupSeconds: STUDY_DEFAULTS.warmupSeconds,
      durationSeconds: STUDY_DEFAULTS.durationSeconds,
      trials: STUDY_DEFAULTS.trials,
      connections: 100,
    });
    expect(plan.rows[0].stack.workers).toBe(7);
    const full = planStudy(
      ["--warmup", "5", "--duration", "10", "--trials", "5", "--workers", "3"],
      io,
      "t",
      builtInStacksDir(),
    );
    expect(full.rows).toHaveLength(13);
    expect(full.rows[0].stack.load).toMatchObject({ warmupSeconds: 5, durationSeconds: 10, trials: 5 });
    expect(full.rows[0].stack.workers).toBe(3);
  });
  it("--as-published: the rig's load, each row's workers swept, pinned only from four CPUs", () => {
    const two = planStudy(["--as-published", "gunicorn-flask"], io, "t", builtInStacksDir(), 2);
    expect(two.asPublished).toBe(true);
    expect(two.rows[0].stack.load).toMatchObject({
      connections: 100,
      keepalive: false,
      totalRequests: AS_PUBLISHED.totalRequests,
      trials: 1,
      warmupSeconds: STUDY_DEFAULTS.warmupSeconds,
    });
    expect(two.rows[0].stack.sweep).not.toBeNull();
    // The rig's nginx opened a new connection to the app per request (no upstream keepalive).
    expect(two.rows[0].stack.spec.proxy?.keepalive).toBe(0);
    expect(planStudy(["gunicorn-flask"], io, "t", builtInStacksDir(), 2).rows[0].stack.spec.proxy?.keepalive).toBe(64);
    expect(two.run.pin).toBe(false);
    expect(planStudy(["--as-published"], io, "t", builtInStacksDir(), 4).run.pin).toBe(true);
    expect(planStudy(["--as-published", "--pin"], io, "t", builtInStacksDir(), 2).run.pin).toBe(true);
    const quick = planStudy(
      ["--as-published", "--total-requests", "2000", "--workers", "3", "--connections", "20"],
      io,
      "t",
      builtInStacksDir(),
      2,
    );
    expect(quick.rows[0].stack.load).toMatchObject({ totalRequests: 2000, connections: 20, keepalive: false });
    expect(quick.rows[0].stack.sweep).toBeNull();
    expect(() => planStudy(["--as-published", "--duration", "5"], io, "t", builtInStacksDir())).toThrow(
      /--duration is refused: the rig's trials are a total of requests, not timed; give --total-requests N/,
    );
    // Without --as-published the short defaults keep connections open, unless asked.
    const plain = planStudy(["--no-keepalive"], io, "t", builtInStacksDir(), 4);
    expect(plain.rows[0].stack.load).toMatchObject({ keepalive: false, totalRequests: null, trials: 3 });
    expect(plain.run.pin).toBe(false);
  });
  it("refuses an unknown row and an unknown flag, exit-2 errors that say what exists", () => {
    expect(() => planStudy(["nope"], io, "t", builtInStacksDir())).toThrow(/no row named "nope"\. Rows: /);
    expect(() => planStudy(["--fast"], io, "t", builtInStacksDir())).toThrow(/Unknown option '--fast'/);
  });
});

describe("the study's tables", () => {
  const [falcon, flask, daphne] = [STUDY_ROWS[0], STUDY_ROWS[7], STUDY_ROWS[12]];
  const measured = (p99: number) => ({ ...result(around(3000, p99, 3)), workers: 4 });
  const outcomes = [
    { row: falcon, result: measured(60) },
    { row: flask, result: measured(40) },
    { row: daphne, skipped: 'pip could not install ../requirements.txt: <b>"no wheel"</b> | x' },
  ];
  it("orders measured rows by measured P99, skipped rows last", () => {
    expect(orderedOutcomes(outcomes).map((o) => o.row.stack)).toEqual([
      "gunicorn-flask",
      "gunicorn-meinheld-falcon",
      "daphne-starlette",
    ]);
  });
  it("prints the published figures beside the measured ones, with both machines, and one line per skipped row", () => {
    const text = studyTextTable(outcomes, 2);
    expect(text).toMatch(/Workers \(4 vCPU\)\s+P50 \(ms\)\s+P99 \(ms\)\s+req\/s\s+Workers \(2 CPU\)/);
    expect(text).toMatch(/Gunicorn\s+Flask\s+14\s+28\s+42\s+3473\s+4\s+[\d.]+\s+(39|40)\.\d\s+\d+/);
    expect(text).toMatch(/Daphne\s+Starlette\s+5\s+20\s+364\s+2678\s+–\s+–\s+skipped\s+–/);
    expect(text).toContain(
      'skipped daphne-starlette: pip could not install ../requirements.txt: <b>"no wheel"</b> | x',
    );
  });
  it("prints Spearman's ρ of the P99 order and of the throughput order over the measured rows", () => {
    // Published P99: falcon 31 < flask 42; measured 60 > 40: the order reversed. Throughput: 5589 > 3473 published, equal here.
    expect(studyAgreement(outcomes)).toEqual({ rows: 2, p99: -1, throughput: Number.NaN });
    expect(agreementLines(outcomes)).toEqual([
      "ρ of the P99 order (Spearman, published against measured, 2 rows): −1.00",
      "ρ of the throughput order (Spearman, published against measured, 2 rows): – (needs two or more measured rows that differ)",
    ]);
    const text = studyTextTable(outcomes, 2);
    expect(text).toContain("ρ of the P99 order (Spearman, published against measured, 2 rows): −1.00");
    expect(text).toMatch(/Measured: this machine, 2 CPUs, loadgate's client, \d+ connections kept open, warmup/);
    expect(studyMarkdown(outcomes, 2, "AMD EPYC", "2026-11-29")).toContain("ρ of the throughput order");
  });
  it("Markdown escapes what came from outside (a skip reason)", () => {
    const md = studyMarkdown(outcomes, 2, "AMD EPYC", "2026-11-29");
    expect(md).toContain("Measured: AMD EPYC, 2 CPUs, 2026-11-29");
    expect(md).toMatch(/\| Gunicorn +\| Flask +\| +14 \| +28 \| +42 \| +3473 \| +4 \|/);
    expect(md).toContain("&lt;b&gt;");
    expect(md).not.toContain("<b>");
    expect(md).toContain("\\|");
  });
});
