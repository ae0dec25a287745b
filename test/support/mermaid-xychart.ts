// A strict reader of the part of Mermaid's xychart grammar the reports use, written after Mermaid's own
// grammar (packages/mermaid/src/diagrams/xychart/parser/xychart.jison): a statement per line; text is a
// double-quoted string with no `"` inside, or a run of letters, digits and + = * . # _ & -; numbers are
// digits with an optional fraction (no exponent, which Mermaid's lexer has no rule for). Anything else
// throws, naming the line, so a report that Mermaid would refuse fails the test.

export interface XyChart {
  title: string | undefined;
  xTitle: string | undefined;
  categories: string[];
  yTitle: string | undefined;
  yRange: { min: number; max: number } | undefined;
  series: { kind: "bar" | "line"; name: string | undefined; values: number[] }[];
}

const NUMBER = /^[+-]?(?:\d+(?:\.\d+)?|\.\d+)$/;
const TEXT = /^(?:"([^"]*)"|([A-Za-z0-9+=*.#_&-]+))\s*/;

function number(s: string, line: string): number {
  const t = s.trim();
  if (!NUMBER.test(t)) throw new Error(`not a Mermaid number: ${JSON.stringify(t)} in ${JSON.stringify(line)}`);
  return Number(t);
}

/** Optional leading text; returns it and the rest of the line. */
function text(s: string): { text: string | undefined; rest: string } {
  if (s.startsWith("[") || NUMBER.test(s.split(/\s/)[0] ?? "")) return { text: undefined, rest: s };
  const m = TEXT.exec(s);
  if (!m) return { text: undefined, rest: s };
  return { text: m[1] ?? m[2], rest: s.slice(m[0].length) };
}

function bracketed(s: string, line: string): string[] {
  const m = /^\[(.*)\]$/.exec(s.trim());
  if (!m) throw new Error(`expected [ … ] in ${JSON.stringify(line)}`);
  return m[1].split(",").map((x) => x.trim());
}

export function parseXyChart(source: string): XyChart {
  const lines = source
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("%%"));
  if (!/^xychart-beta(?:\s+(?:vertical|horizontal))?$/.test(lines[0] ?? "")) {
    throw new Error(`the diagram must start with xychart-beta, found ${JSON.stringify(lines[0])}`);
  }
  const chart: XyChart = {
    title: undefined,
    xTitle: undefined,
    categories: [],
    yTitle: undefined,
    yRange: undefined,
    series: [],
  };
  for (const line of lines.slice(1)) {
    const [keyword] = line.split(/\s+/, 1);
    const after = line.slice(keyword.length).trim();
    if (keyword === "title") {
      const t = text(after);
      if (t.text === undefined || t.rest !== "") throw new Error(`bad title: ${JSON.stringify(line)}`);
      chart.title = t.text;
    } else if (keyword === "x-axis") {
      const t = text(after);
      chart.xTitle = t.text;
      if (t.rest.startsWith("[")) {
        chart.categories = bracketed(t.rest, line).map((c) => {
          const x = text(c);
          if (x.text === undefined || x.rest !== "") throw new Error(`bad category ${JSON.stringify(c)} in ${line}`);
          return x.text;
        });
      } else if (t.rest !== "") throw new Error(`bad x-axis: ${JSON.stringify(line)}`);
    } else if (keyword === "y-axis") {
      const t = text(after);
      chart.yTitle = t.text;
      if (t.rest !== "") {
        const range = t.rest.split("-->");
        if (range.length !== 2) throw new Error(`bad y-axis range: ${JSON.stringify(line)}`);
        chart.yRange = { min: number(range[0], line), max: number(range[1], line) };
      }
    } else if (keyword === "bar" || keyword === "line") {
      const t = text(after);
      chart.series.push({ kind: keyword, name: t.text, values: bracketed(t.rest, line).map((v) => number(v, line)) });
    } else throw new Error(`not an xychart statement: ${JSON.stringify(line)}`);
  }
  return chart;
}

/** Every ```mermaid block of a Markdown text, parsed. */
export function mermaidCharts(markdown: string): XyChart[] {
  const blocks = [...markdown.matchAll(/^```mermaid\n([\s\S]*?)\n```$/gm)].map((m) => m[1]);
  const opened = markdown.match(/^```mermaid$/gm)?.length ?? 0;
  if (opened !== blocks.length) throw new Error(`${opened - blocks.length} mermaid block(s) left unclosed`);
  return blocks.map(parseXyChart);
}
