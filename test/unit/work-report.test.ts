// The explanation of the database work: the statements that changed (new, gone, an N+1, a lost
// index) in the terminal, the comment and the HTML report, with forged statement texts inert.
import { describe, expect, it } from "vitest";
import { renderHtml } from "../../src/report/html.js";
import { commentMarker, renderMarkdown } from "../../src/report/markdown.js";
import { workChanges } from "../../src/report/work-changes.js";
import { workMarkdown } from "../../src/report/work-markdown.js";
import { workComparisonText } from "../../src/report/work-table.js";
import type { StackResult, WorkRecord, WorkStatement } from "../../src/result/types.js";
import { LIVE, PAYLOAD } from "../support/forged.js";
import { around, result } from "../support/results.js";
import { workCounts, workRecord } from "../support/work-records.js";

const stmt = (text: string, calls: number, pages = 3 * calls, o: Partial<WorkStatement> = {}): WorkStatement => ({
  queryid: "1",
  text,
  toplevel: true,
  control: false,
  calls,
  rows: calls,
  pages,
  ...o,
});

function work(statements: WorkStatement[], o: Partial<WorkRecord> = {}): WorkRecord {
  const sum = (k: "calls" | "rows" | "pages") => statements.reduce((a, s) => a + s[k], 0);
  const perRequest = workCounts(sum("calls"), { rows: sum("rows"), pages: sum("pages"), responseBytes: 120 });
  return workRecord([perRequest, perRequest], { statements, ...o });
}

const ORDERS = "SELECT id, total FROM orders WHERE customer_id = $1";
const ITEMS = "SELECT * FROM items WHERE sku = $1";
const base = work([stmt("SELECT id FROM customers WHERE id = $1", 1), stmt(ORDERS, 1), stmt(ITEMS, 1, 3)]);
const head = work([
  stmt("SELECT id FROM customers WHERE id = $1", 1),
  stmt(ORDERS, 11),
  stmt(ITEMS, 1, 120),
  stmt("INSERT INTO audit (x) VALUES ($1)", 1),
]);

describe("the statements that changed", () => {
  it("names new and gone statements, calls per request with a likely N+1, pages per call with a likely lost index", () => {
    const c = workChanges(base, head);
    expect(c.notCompared).toEqual([]);
    expect(c.rows.find((r) => r.metric === "statements")).toMatchObject({ base: 3, head: 14, change: 14 / 3 - 1 });
    const byText = new Map(c.statements.map((s) => [s.text, s]));
    expect(byText.get("INSERT INTO audit (x) VALUES ($1)")).toMatchObject({ kind: "new", likelyNPlusOne: false });
    expect(byText.get(ORDERS)).toMatchObject({ kind: "changed", likelyNPlusOne: true, likelyLostIndex: false });
    expect(byText.get(ITEMS)).toMatchObject({ kind: "changed", likelyNPlusOne: false, likelyLostIndex: true });
    // Unchanged statements are not listed.
    expect(byText.has("SELECT id FROM customers WHERE id = $1")).toBe(false);
    const gone = workChanges(head, base).statements.find((s) => s.kind === "gone");
    expect(gone?.text).toBe("INSERT INTO audit (x) VALUES ($1)");
  });

  it("flags an N+1 only for a whole-number growth, and a lost index only from ×4 pages per call", () => {
    const half = workChanges(work([stmt(ORDERS, 1)]), work([stmt(ORDERS, 1.5)])).statements[0];
    expect(half).toMatchObject({ kind: "changed", likelyNPlusOne: false });
    const twice = workChanges(work([stmt(ORDERS, 1, 3)]), work([stmt(ORDERS, 1, 9)])).statements;
    expect(twice).toEqual([]);
    const fewer = workChanges(work([stmt(ORDERS, 11)]), work([stmt(ORDERS, 1)])).statements[0];
    expect(fewer).toMatchObject({ likelyNPlusOne: false });
  });

  it("flags a new statement called 2 or more whole times per request: a lazy load that replaced a join", () => {
    const JOINED = "SELECT orders.id, products_1.name FROM orders LEFT OUTER JOIN products AS products_1 ON …";
    const LAZY = "SELECT products.id, products.name FROM products WHERE products.id = $1";
    const c = workChanges(
      work([stmt(JOINED, 1)]),
      work([stmt("SELECT orders.id FROM orders WHERE orders.customer_id = $1", 1), stmt(LAZY, 10)]),
    );
    const byText = new Map(c.statements.map((s) => [s.text, s]));
    expect(byText.get(LAZY)).toMatchObject({ kind: "new", likelyNPlusOne: true });
    expect(byText.get(JOINED)).toMatchObject({ kind: "gone", likelyNPlusOne: false });
    expect(workComparisonText(work([stmt(JOINED, 1)]), work([stmt(LAZY, 10)]))).toContain(
      `new, 10.00 calls per request; likely N+1: ${LAZY}`,
    );
    const oncePerTwo = workChanges(work([stmt(JOINED, 1)]), work([stmt(LAZY, 2.5)])).statements;
    expect(oncePerTwo.find((s) => s.text === LAZY)).toMatchObject({ likelyNPlusOne: false });
  });

  it("compares no statements across PostgreSQL majors or other data, and says why", () => {
    const c = workChanges(base, { ...head, dataHash: "b".repeat(64) });
    expect(c.statements).toEqual([]);
    expect(c.rows.every((r) => r.change === null)).toBe(true);
    expect(c.notCompared.join(" ")).toMatch(/dataHash/);
  });

  it("prints the terminal's table and lines: 1.00 → 11.00 calls per request; likely N+1", () => {
    const text = workComparisonText(base, head)!;
    expect(text).toMatch(/SQL statements\s+3\s+14\s+\+366\.7%/);
    expect(text).toContain(`1.00 → 11.00 calls per request; likely N+1: ${ORDERS}`);
    expect(text).toContain(`pages per call 3.00 → 120.00; likely lost index: ${ITEMS}`);
    expect(text).toContain("new, 1.00 calls per request: INSERT INTO audit (x) VALUES ($1)");
    expect(workComparisonText(undefined, head)).toBeUndefined();
    // A terminal escape sequence in a statement's text is data.
    const esc = workComparisonText(base, work([stmt("select 1 \u001b]0;pwned\u0007 \u001b[2J", 1)]))!;
    expect(esc).not.toContain("\u001b");
    expect(esc).not.toContain("\u0007");
    expect(esc).toContain("select 1 ]0;pwned [2J");
  });
});

/** Statement texts a forged Result might carry: mentions, references, links, HTML, backticks, new blocks. */
const FORGED = [
  LIVE,
  PAYLOAD,
  "select `x` from t -- ``` @octocat",
  "</details><script>alert(1)</script>",
  "a|b\n| c |",
];

function forgedPair(): { base: StackResult; head: StackResult } {
  const b = { ...result(around(1000, 20)), work: work([stmt(FORGED[0], 1), stmt(FORGED[2], 2)]) };
  const h = {
    ...result(around(1000, 20)),
    work: work([stmt(FORGED[0], 11), stmt(FORGED[1], 1), stmt(FORGED[3], 1), stmt(FORGED[4], 1)]),
  };
  return { base: b, head: h };
}

describe("forged statement texts", () => {
  it("stay inert text in the comment: no mention, link, HTML, code span or new block of their own", () => {
    const { base: b, head: h } = forgedPair();
    const md = renderMarkdown(
      {
        title: "t",
        headline: "regression",
        decidedBy: "d",
        stacks: [{ result: h, baseline: b, baselineLabel: "main", comparison: null }],
      },
      commentMarker(["demo"]),
    );
    const section = md.slice(md.indexOf("**Database work per request**"), md.indexOf("- Environment"));
    expect(section).toContain("<summary>Statements that changed (5)</summary>");
    const read = section.replaceAll("&#8203;", "\u200b");
    expect(read).not.toMatch(/@[A-Za-z0-9]/);
    expect(read).not.toMatch(/#\d/);
    expect(read).not.toMatch(/https?:\/\//);
    expect(read).not.toMatch(/<script|<img|<\/details><script/i);
    expect(read).not.toMatch(/^#+ /m);
    // No backtick from a text is live: each is escaped, and none of these texts went into a code span.
    expect(read).not.toMatch(/(^|[^\\])`/m);
    expect(section).toContain("1.00 → 11.00 calls per request; likely N+1: ");
    // Exactly one closing tag: the block's own.
    expect(section.match(/<\/details>/g)).toHaveLength(1);
    // Each statement on one list line: the text's line breaks and table pipes are data.
    expect(section).toContain("a\\|b \\| c \\|");
  });

  it("a plain statement text goes into a code span (codeOrText)", () => {
    const plain = { ...result(around(1000, 20)), work: work([stmt("VACUUM", 2)]) };
    const was = { ...result(around(1000, 20)), work: work([stmt("VACUUM", 1)]) };
    expect(workMarkdown(plain, was, "main")).toContain("- 1.00 → 2.00 calls per request; likely N+1: `VACUUM`");
  });

  it("stay inert in the HTML report", () => {
    const { base: b, head: h } = forgedPair();
    const doc = {
      schemaVersion: 2 as const,
      tool: { name: "loadgate" as const, version: "0" },
      createdAt: "2026-12-07T00:00:00Z",
      results: [h],
      reports: [{ stack: h.stack.name, baselineLabel: "main", baseline: b, comparison: null }],
    };
    const html = renderHtml({ documents: [{ source: "r.json", doc }], version: "0" });
    const section = html.slice(html.indexOf("<h4>Database work per request</h4>"));
    expect(section).toContain("<summary>Statements that changed (5)</summary>");
    expect(section).not.toMatch(/<script|<img/i);
    expect(section.match(/<\/details>/g)).toHaveLength(1);
    expect(section).toContain("&#60;/details&#62;&#60;script&#62;");
  });
});
