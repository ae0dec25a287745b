// Pure: the pull request comment and job summary as Markdown. Every value from a Result, a stack
// file or a log goes through escapeText (escape-markdown.ts), every number through report/format.ts.

import { markdownTable } from "markdown-table";
import { type Comparison, type Headline, METRIC_LABELS, type MetricVerdict } from "../compare/metrics.js";
import type { StackResult } from "../result/types.js";
import { codeOrText, escapeText } from "./escape-markdown.js";
import {
  formatAge,
  formatChange,
  formatConfidence,
  formatCount,
  formatInt,
  formatLimit,
  formatMeasured,
  formatMetric,
  formatMs,
  formatNumber,
  formatPercent,
  formatRps,
  trialRows,
  trialsText,
} from "./format.js";
import { percentileMermaid } from "./mermaid.js";
import { percentileChartData } from "./percentiles.js";
import { sweepLine } from "./terminal.js";
import { timingWorkLine, workCell } from "./timing-work.js";
import { workMarkdown } from "./work-markdown.js";

/** GitHub refuses comments over 65,536 characters; stay well under. */
export const COMMENT_LIMIT = 60_000;

/** A hidden marker per stack set, so the Action finds and updates its own comment. */
export function commentMarker(stackNames: readonly string[]): string {
  const id = [...stackNames].sort().join(",");
  return `<!-- loadgate:comment stacks=${escapeText(id).replaceAll("--", "- -")} -->`;
}

export { escapeText };

/**
 * What a run ends with: a verdict in gate mode; on baseline and report runs, what happened instead
 * (nothing was compared, so nothing "passed").
 */
export type RunHeadline = Headline | "baseline-stored" | "measured";

const ICON: Record<RunHeadline, string> = {
  pass: "✅",
  regression: "❌",
  improvement: "🚀",
  inconclusive: "❔",
  "no-baseline": "➖",
  "baseline-stored": "📦",
  measured: "📏",
};

export const HEADLINE_TEXT: Record<RunHeadline, string> = {
  "baseline-stored": "baseline stored for the default branch (nothing compared)",
  measured: "measured only (nothing compared)",
  pass: "no regression beyond the thresholds",
  regression: "regression beyond the threshold",
  improvement: "faster than the baseline",
  inconclusive: "inconclusive: not enough evidence either way within the pairs and time allowed (see the notes)",
  "no-baseline": "no comparable baseline",
};

export interface StackReport {
  result: StackResult;
  comparison: Comparison | null;
  /** Short sha of the baseline, for the column header. */
  baselineLabel: string | null;
  /** The work rows' baseline commit, when it is not the timings' (src/work/baseline.ts). */
  workBaselineLabel?: string;
  baseline: StackResult | null;
  /** Optional trend row from a stored baseline when the A/B comparison decided. */
  trend?: string;
  /** The name shown for the stack when it differs from the Result's (two matrix jobs measured one stack). */
  label?: string;
  /** A stored baseline's commit, when it was measured and how old it is (the caller reads the clock). */
  baselineAge?: BaselineAge;
}

export interface BaselineAge {
  sha: string | null;
  /** ISO time the baseline's run wrote its Result. */
  createdAt: string;
  ageSeconds: number;
  /** Input max-baseline-age; null: no limit. */
  limitSeconds: number | null;
}

/** "Baseline: commit abc1234, measured 2026-11-20 08:12 UTC, 9.8 days ago"; the warning past the limit. */
export function baselineAgeLines(a: BaselineAge): { line: string; warning?: string } {
  const when = formatMeasured(a.createdAt, a.ageSeconds) ?? "at an unknown time";
  const line = `Stored baseline: commit ${a.sha ? codeOrText(a.sha.slice(0, 12)) : "unknown"}, ${when}.`;
  if (a.limitSeconds === null || !(a.ageSeconds > a.limitSeconds)) return { line };
  return {
    line,
    warning: `The stored baseline is ${formatAge(a.ageSeconds)} old, older than max-baseline-age (${formatAge(a.limitSeconds)}): the default branch has not stored one since, and the runner image or main may have moved on. Refresh it (docs/recipes.md, "Keeping the baseline fresh").`,
  };
}

/** The HTML report uploaded as an artifact of the run (report-artifact: true). */
export interface HtmlReportLink {
  name: string;
  url: string;
}

export interface ReportInput {
  title: string;
  headline: RunHeadline;
  stacks: StackReport[];
  /** The words under the headline, e.g. which mode decided. */
  decidedBy: string;
  htmlReport?: HtmlReportLink;
}

/** The line that links the HTML report; nothing when the link is not a plain http(s) URL. */
function htmlReportLine(link: HtmlReportLink | undefined): string[] {
  if (!link || !/^https?:\/\/[^\s()<>[\]]+$/.test(link.url)) return [];
  return [
    `📊 [HTML report](${link.url}) (artifact ${escapeText(link.name)}): the tables, the percentile charts, every trial, the worker sweep and the trend over main's commits, in one file that loads nothing from elsewhere.`,
    "",
  ];
}

function verdictCell(m: MetricVerdict): string {
  const threshold = m.threshold === null ? "not gated" : `limit ${formatLimit(m)}`;
  return `${ICON[m.verdict]} ${m.verdict} (${threshold})`;
}

function metricsTable(s: StackReport): string {
  const header = [
    "Metric",
    `Baseline (${escapeText(s.baselineLabel ?? "none")})`,
    "This PR",
    "Change (interval)",
    "Confidence",
    "Verdict",
  ];
  if (!s.comparison || s.comparison.metrics.length === 0) {
    const r = s.result.summary;
    const rows = [["Metric", "This PR"]];
    if (s.result.trials.length > 0) {
      rows.push(
        ["P99 (ms)", formatMs(r.latency.p99.median)],
        ["P50 (ms)", formatMs(r.latency.p50.median)],
        ["Throughput (req/s)", formatRps(r.throughput.median)],
        ["Errors", formatInt(r.errors)],
      );
    }
    if (s.result.cost) rows.push([METRIC_LABELS.cost, formatCount(s.result.cost.perRequest)]);
    return markdownTable(rows);
  }
  const rows = s.comparison.metrics.map((m) => [
    METRIC_LABELS[m.metric],
    formatMetric(m.metric, m.baseline),
    formatMetric(m.metric, m.current),
    formatChange(m),
    formatConfidence(m),
    verdictCell(m),
  ]);
  return markdownTable([header, ...rows], { align: ["l", "r", "r", "r", "r", "l"] });
}

/** How the cost was counted, for the line under the table; undefined without a cost run. */
export function costLine(s: StackReport): string | undefined {
  const c = s.result.cost;
  if (!c) return undefined;
  const base = s.baseline?.cost;
  const spread = base
    ? `chunk spread ${formatPercent(c.spread, false, 2)} (baseline ${formatPercent(base.spread, false, 2)})`
    : `chunk spread ${formatPercent(c.spread, false, 2)}`;
  return `App instructions per request: counted under ${escapeText(c.valgrind)} (callgrind), one worker, requests one at a time, ${formatInt(c.chunks.length)} chunks × ${formatInt(c.chunkRequests)} requests after ${formatInt(c.warmupRequests)} warmup; ${spread}; CPU as valgrind presents it: ${escapeText(c.fingerprint.guestCpu)}; ${formatInt(c.seconds)} s.`;
}

/** The pooled P99 beside the headline median of the trials' P99s; undefined for Results without it. */
export function pooledLine(r: StackResult): string | undefined {
  const p = r.summary.pooled;
  if (!p) return undefined;
  const requests = Number.isFinite(p.requests) ? Math.round(p.requests).toLocaleString("en-US") : "–";
  return `P99 of all ${formatInt(p.trials)} trials' ${requests} responses pooled: ${formatMs(p.latency.p99)} ms (median of the trials' P99s: ${formatMs(r.summary.latency.p99.median)} ms; P99.9 pooled: ${formatMs(p.latency.p999)} ms).`;
}

function environmentLines(r: StackResult): string[] {
  const e = r.environment;
  const versions = Object.entries(e.versions)
    .map(([k, v]) => `${escapeText(k)} ${escapeText(v)}`)
    .join(", ");
  return [
    `- Environment ${codeOrText(e.id)}: ${escapeText(e.cpuModel)}, ${formatInt(e.logicalCores)} CPUs, ${formatInt(e.memoryBytes / 2 ** 30)} GiB, ${escapeText(e.os)}; ${versions}`,
    `- Load: ${r.load.mode === "open-loop" ? `${formatNumber(r.load.rate)} req/s open loop` : `${formatInt(r.load.connections)} connections`}${r.load.keepalive === false ? ", a new connection per request" : ""}, warmup ${formatNumber(r.load.warmupSeconds)} s, ${trialsText(r.load)}; workers ${formatInt(r.workers)}${r.placement.pinned ? `; load generator pinned to CPU ${escapeText(r.placement.loadGenerator)}` : ""}`,
  ];
}

function cpuLine(r: StackResult): string | undefined {
  if (!r.cpu) return undefined;
  const parts = Object.entries(r.cpu.share).map(([k, v]) => `${escapeText(k)} ${formatPercent(v, false)}`);
  return `- CPU during the trials (share of ${formatInt(r.cpu.cores)} CPUs): ${parts.join(" · ")}`;
}

function trialsDetails(s: StackReport): string {
  const rows = (label: string, r: StackResult) => trialRows(label, r, ["p50", "p99", "p999"]);
  const table = markdownTable([
    ["Side", "Trial", "Throughput (req/s)", "P50 (ms)", "P99 (ms)", "P99.9 (ms)", "Errors"],
    ...(s.baseline ? rows("baseline", s.baseline) : []),
    ...rows("this PR", s.result),
  ]);
  return `<details><summary>Per-trial values</summary>\n\n${table}\n\n</details>`;
}

/**
 * The latency-by-percentile chart under the table with its caption, which says which side is which
 * (see mermaid.ts for why bars and a line); undefined for a Result with no latencies.
 */
export function percentileChart(s: StackReport): string | undefined {
  const data = percentileChartData(s.result, s.baseline);
  const block = data && percentileMermaid(data);
  if (!data || !block) return undefined;
  const what = `Latency by percentile in ms (the median of the trials' ${data.labels.join(", ")})`;
  const caption = data.series.some((x) => x.side === "base")
    ? `${what}: **bars: this PR (head)**; **line: the baseline (base, ${escapeText(s.baselineLabel ?? "stored")})**.`
    : `${what}: **bars: this run**; no baseline to draw.`;
  return `${block}\n\n${caption}`;
}

/** What a stack's section holds beyond its table; the bulky parts go first when the comment is too long. */
interface SectionParts {
  details: boolean;
  chart: boolean;
}

function stackSection(s: StackReport, runHeadline: RunHeadline, show: SectionParts): string {
  const r = s.result;
  const c = s.comparison;
  const h: RunHeadline =
    c?.headline ?? (runHeadline === "baseline-stored" || runHeadline === "measured" ? runHeadline : "no-baseline");
  const title = `### ${escapeText(s.label ?? r.stack.name)} (${escapeText(r.stack.webserver)}${r.stack.framework ? ` + ${escapeText(r.stack.framework)}` : ""}): ${ICON[h]} ${h}`;
  const age = s.baselineAge ? baselineAgeLines(s.baselineAge) : undefined;
  const warnings = [
    ...(age?.warning ? [age.warning] : []),
    ...(c?.reason ? [`No comparison: ${escapeText(c.reason)}.`] : []),
    ...r.warnings.map(escapeText),
    ...(r.cost?.warnings ?? []).map((w) => `Cost run: ${escapeText(w)}`),
    ...(c?.notes ?? []).map(escapeText),
  ];
  const parts = [title, "", metricsTable(s), ""];
  const joined = timingWorkLine(c, s.baseline, r);
  if (joined) parts.push(`**Timing and work:** ${escapeText(joined)}`, "");
  const chart = show.chart ? percentileChart(s) : undefined;
  if (chart) parts.push(chart, "");
  const pooled = pooledLine(r);
  if (pooled) parts.push(pooled, "");
  const cost = costLine(s);
  if (cost) parts.push(cost, "");
  const work = workMarkdown(r, s.baseline, s.workBaselineLabel ?? s.baselineLabel, show.details);
  if (work) parts.push(work, "");
  const sweep = sweepLine(r);
  if (sweep) parts.push(escapeText(sweep), "");
  if (s.trend) parts.push(`Trend against the stored baseline: ${escapeText(s.trend)}`, "");
  if (age) parts.push(age.line, "");
  parts.push(...environmentLines(r));
  const cpu = cpuLine(r);
  if (cpu) parts.push(cpu);
  if (warnings.length) parts.push("", ...warnings.map((w) => `> ⚠️ ${w}`));
  parts.push(
    "",
    show.details
      ? trialsDetails(s)
      : "<details><summary>Per-trial values</summary>\n\nOmitted: the comment would exceed GitHub's size limit. See the Result JSON.\n\n</details>",
  );
  return parts.join("\n");
}

/**
 * With more than one stack (several stacks in a run, or a matrix of jobs merged by mode: report), one
 * table of them all in the study's style, ordered by P99 (best first): what each measured, the change
 * against its baseline, and its verdict.
 */
export function overviewTable(stacks: readonly StackReport[], runHeadline: RunHeadline): string {
  const change = (s: StackReport, metric: "p99" | "throughput") => {
    const m = s.comparison?.metrics.find((x) => x.metric === metric);
    return m ? formatPercent(m.change) : "–";
  };
  const p99 = (s: StackReport) => s.result.summary.latency.p99.median;
  const ordered = [...stacks].sort((a, b) => {
    const x = a.result.trials.length > 0 && Number.isFinite(p99(a)) ? p99(a) : Number.POSITIVE_INFINITY;
    const y = b.result.trials.length > 0 && Number.isFinite(p99(b)) ? p99(b) : Number.POSITIVE_INFINITY;
    return x - y;
  });
  const rows = ordered.map((s) => {
    const r = s.result;
    const timed = r.trials.length > 0;
    const h: RunHeadline =
      s.comparison?.headline ??
      (runHeadline === "baseline-stored" || runHeadline === "measured" ? runHeadline : "no-baseline");
    return [
      escapeText(s.label ?? r.stack.name),
      escapeText(r.stack.webserver),
      escapeText(r.stack.framework),
      formatInt(r.workers),
      timed ? formatMs(r.summary.latency.p50.median) : "–",
      timed ? formatMs(p99(s)) : "–",
      timed ? formatRps(r.summary.throughput.median) : "–",
      change(s, "p99"),
      change(s, "throughput"),
      escapeText(workCell(s.baseline, r)),
      `${ICON[h]} ${h}`,
    ];
  });
  const header = [
    "Stack",
    "Webserver",
    "Framework",
    "Workers",
    "P50 (ms)",
    "P99 (ms)",
    "req/s",
    "P99 change",
    "Throughput change",
    "Database work per request",
    "Verdict",
  ];
  return [
    `### All ${stacks.length} stacks, ordered by P99`,
    "",
    markdownTable([header, ...rows], { align: ["l", "l", "l", "r", "r", "r", "r", "r", "r", "l", "l"] }),
  ].join("\n");
}

/** The whole comment (also the job summary), under GitHub's size limit. */
export function renderMarkdown(input: ReportInput, marker: string): string {
  const head = [
    marker,
    `## ${ICON[input.headline]} loadgate: ${HEADLINE_TEXT[input.headline]}`,
    "",
    `${escapeText(input.title)} · ${escapeText(input.decidedBy)}`,
    "",
    ...htmlReportLine(input.htmlReport),
  ].join("\n");
  const overview = input.stacks.length > 1 ? `${overviewTable(input.stacks, input.headline)}\n\n` : "";
  const render = (show: SectionParts) =>
    `${head}${overview}${input.stacks.map((x) => stackSection(x, input.headline, show)).join("\n\n")}\n`;
  // Drop the per-trial details first (they are the bulk), then the charts; never cut a chart in half.
  let body = render({ details: true, chart: true });
  if (body.length > COMMENT_LIMIT) body = render({ details: false, chart: true });
  if (body.length > COMMENT_LIMIT) body = render({ details: false, chart: false });
  if (body.length > COMMENT_LIMIT)
    body = `${body.slice(0, COMMENT_LIMIT - 100)}\n\n…(truncated to fit GitHub's limit)\n`;
  return body;
}
