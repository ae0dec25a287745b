// Pure: line charts as inline SVG for the HTML report. No script, no external reference: the markup
// is all there is. Each series is a <g class="series" data-series="…"> holding its line and one
// <circle class="point"> per value drawn (a missing value leaves a gap), so a reader, or a test, can
// count what the chart shows. Series differ in colour and in shape (solid or dashed line, filled or
// hollow points), and the legend inside the chart names them.

import { escapeHtml } from "./escape-html.js";
import { formatMs } from "./format.js";
import { niceCeil } from "./mermaid.js";

export interface SvgSeries {
  /** Shown in the legend and the points' tooltips. */
  name: string;
  /** The data-series attribute, a fixed word of the renderer's (base, head, main, …). */
  key: string;
  /** One per x label; NaN where there is no value. */
  values: number[];
  style: "solid" | "dashed";
  colour: string;
}

export interface SvgChart {
  /** The data-chart attribute, a fixed word of the renderer's (percentiles, trend-p99, …). */
  kind: string;
  title: string;
  xLabels: string[];
  yLabel: string;
  /** Formats a value for the axis and the tooltips. */
  format?: (v: number) => string;
  series: SvgSeries[];
  /** Change points: a dashed vertical line before the point at `index` (the first of a new level), with its text as a tooltip. */
  marks?: { index: number; text: string }[];
}

const WIDTH = 560;
const HEIGHT = 300;
const MARGIN = { top: 56, right: 16, bottom: 56, left: 64 };

/** Coordinates to one decimal: enough for a screen, short in the file. */
const c = (v: number) => (Math.round(v * 10) / 10).toString();

/** Where a value goes: x by category, y from 0 up to the round top, and the format of its text. */
interface Frame {
  top: number;
  plotH: number;
  x: (i: number) => number;
  y: (v: number) => number;
  fmt: (v: number) => string;
}

export function lineChart(chart: SvgChart): string {
  const frame = frameOf(chart);
  return [
    `<svg class="chart" data-chart="${escapeHtml(chart.kind)}" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="${escapeHtml(chart.title)}">`,
    `<text class="chart-title" x="${MARGIN.left}" y="18">${escapeHtml(chart.title)}</text>`,
    ...yAxis(chart, frame),
    ...xAxis(chart, frame),
    ...marks(chart, frame),
    ...chart.series.flatMap((s) => seriesGroup(s, chart, frame)),
    ...legend(chart.series),
    "</svg>",
  ].join("\n");
}

function frameOf(chart: SvgChart): Frame {
  const values = chart.series.flatMap((s) => s.values).filter(Number.isFinite);
  const top = niceCeil(Math.max(0, ...values) * 1.1);
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const n = chart.xLabels.length;
  return {
    top,
    plotH,
    x: (i: number) => MARGIN.left + (n === 1 ? plotW / 2 : (plotW * (i + 0.5)) / n),
    y: (v: number) => MARGIN.top + plotH * (1 - Math.min(v, top) / top),
    fmt: chart.format ?? formatMs,
  };
}

/** Five ticks from 0 to the round top, with grid lines. */
function yAxis(chart: SvgChart, { top, plotH, y, fmt }: Frame): string[] {
  const out = ['<g class="axis y-axis">'];
  for (let t = 0; t <= 4; t++) {
    const v = (top * t) / 4;
    out.push(
      `<line class="grid" x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${c(y(v))}" y2="${c(y(v))}"/>`,
      `<text x="${MARGIN.left - 6}" y="${c(y(v) + 4)}" text-anchor="end">${escapeHtml(fmt(v))}</text>`,
    );
  }
  out.push(
    `<text class="axis-title" transform="translate(14 ${c(MARGIN.top + plotH / 2)}) rotate(-90)" text-anchor="middle">${escapeHtml(chart.yLabel)}</text>`,
    "</g>",
  );
  return out;
}

/** A label per category; slanted when there are many (a trend over commits). */
function xAxis(chart: SvgChart, { plotH, x }: Frame): string[] {
  const slant = chart.xLabels.length > 8;
  const ly = MARGIN.top + plotH + 16;
  const labels = chart.xLabels.map((label, i) =>
    slant
      ? `<text transform="translate(${c(x(i))} ${ly}) rotate(-40)" text-anchor="end">${escapeHtml(label)}</text>`
      : `<text x="${c(x(i))}" y="${ly}" text-anchor="middle">${escapeHtml(label)}</text>`,
  );
  return ['<g class="axis x-axis">', ...labels, "</g>"];
}

/** The change points: a vertical line halfway between the last point of the old level and the first of the new. */
function marks(chart: SvgChart, { plotH, x }: Frame): string[] {
  return (chart.marks ?? [])
    .filter((m) => m.index > 0 && m.index < chart.xLabels.length)
    .map((m) => {
      const mx = c((x(m.index - 1) + x(m.index)) / 2);
      return `<line class="change-point" x1="${mx}" x2="${mx}" y1="${MARGIN.top}" y2="${c(MARGIN.top + plotH)}"><title>${escapeHtml(m.text)}</title></line>`;
    });
}

/** One series: its line, one path per run of values without a gap, and a point per value. */
function seriesGroup(s: SvgSeries, chart: SvgChart, { x, y, fmt }: Frame): string[] {
  const out = [
    `<g class="series" data-series="${escapeHtml(s.key)}" stroke="${escapeHtml(s.colour)}" fill="${escapeHtml(s.colour)}">`,
  ];
  let d = "";
  let pen = false;
  s.values.forEach((v, i) => {
    if (!Number.isFinite(v)) {
      pen = false;
      return;
    }
    d += `${pen ? "L" : "M"}${c(x(i))} ${c(y(v))}`;
    pen = true;
  });
  if (d) out.push(`<path class="line${s.style === "dashed" ? " dashed" : ""}" d="${d}" fill="none"/>`);
  s.values.forEach((v, i) => {
    if (!Number.isFinite(v)) return;
    out.push(
      `<circle class="point${s.style === "dashed" ? " hollow" : ""}" cx="${c(x(i))}" cy="${c(y(v))}" r="4"><title>${escapeHtml(`${s.name}, ${chart.xLabels[i]}: ${fmt(v)}`)}</title></circle>`,
    );
  });
  out.push("</g>");
  return out;
}

/** On its own line under the title: a swatch in each series' style and its name. */
function legend(series: SvgSeries[]): string[] {
  const out = ['<g class="legend">'];
  let lx = MARGIN.left;
  for (const s of series) {
    out.push(
      `<g class="legend-item" data-series="${escapeHtml(s.key)}" stroke="${escapeHtml(s.colour)}" fill="${escapeHtml(s.colour)}">`,
      `<line class="line${s.style === "dashed" ? " dashed" : ""}" x1="${c(lx)}" x2="${c(lx + 22)}" y1="34" y2="34"/>`,
      `<circle class="${s.style === "dashed" ? "hollow" : ""}" cx="${c(lx + 11)}" cy="34" r="3.5"/>`,
      `<text x="${c(lx + 28)}" y="38" stroke="none">${escapeHtml(s.name)}</text>`,
      "</g>",
    );
    // About 6.5 px per character at 11 px.
    lx += 28 + 6.5 * s.name.length + 20;
  }
  out.push("</g>");
  return out;
}
