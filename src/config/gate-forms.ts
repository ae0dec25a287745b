// Pure: the forms a P99 or throughput threshold takes, in the stack file and the Action's inputs.
// A relative limit ("+10%", "-5%") is judged against a baseline; an absolute SLO ("<50ms",
// ">1000/s", k6's p(99)<50) against a fixed value, with or without a baseline. A list holds one
// of each, and both apply.

import type { MetricGate, WorkLimit } from "../compare/gate.js";
import { parseDuration, parsePercent } from "./duration.js";

export const GATE_FORMS = {
  p99: 'a growth like "+10%" (how much P99 may grow against the baseline), an SLO like "<50ms" (the P99 it must stay below), or a list of both (["+10%", "<50ms"])',
  throughput:
    'a drop like "-5%" (how much throughput may drop against the baseline), an SLO like ">1000/s" (the throughput it must stay above), or a list of both (["-5%", ">1000/s"])',
} as const;

/** "<50ms", "<0.2s" (a unit is required) as milliseconds; NaN otherwise. */
export function parseLatencySlo(value: string): number {
  const m = /^<\s*(\d+(?:\.\d+)?(?:ms|s))$/.exec(value.trim());
  if (!m) return Number.NaN;
  const ms = parseDuration(m[1] as string) * 1000;
  return ms > 0 ? ms : Number.NaN;
}

/** ">1000/s" as requests per second; NaN otherwise. */
export function parseRateSlo(value: string): number {
  const m = /^>\s*(\d+(?:\.\d+)?)\s*\/s$/.exec(value.trim());
  if (!m) return Number.NaN;
  const n = Number(m[1]);
  return n > 0 ? n : Number.NaN;
}

/**
 * One metric's thresholds from a value or a list of values. Returns the gate, or the reason the
 * value is not one (for the caller to put beside the file, line and field, or the input's name).
 */
export function parseMetricGate(
  metric: "p99" | "throughput",
  value: string | readonly string[],
): { gate: MetricGate } | { problem: string } {
  const values = typeof value === "string" ? [value] : value;
  if (values.length === 0) return { problem: `expected ${GATE_FORMS[metric]}, got an empty list.` };
  const gate: MetricGate = { relative: null, slo: null };
  for (const v of values) {
    const relative = parsePercent(v);
    const okRelative = Number.isFinite(relative) && v.trim().startsWith(metric === "p99" ? "+" : "-");
    const slo = metric === "p99" ? parseLatencySlo(v) : parseRateSlo(v);
    if (okRelative) {
      if (gate.relative !== null) return { problem: `has two relative limits (${values.join(", ")}); keep one.` };
      gate.relative = relative;
    } else if (Number.isFinite(slo)) {
      if (gate.slo !== null) return { problem: `has two SLOs (${values.join(", ")}); keep one.` };
      gate.slo = slo;
    } else {
      return { problem: `expected ${GATE_FORMS[metric]}, got ${JSON.stringify(v)}.` };
    }
  }
  return { gate };
}

export const WORK_GATE_FORM =
  'a growth like "+10%" (how much the count per request may grow against the baseline), a ceiling like "<4" (the count per request it must stay below), or "off"';

/** gate.statements, gate.rows, gate.pages, gate.connections: "+10%", "<4" (a count per request, no unit) or "off". */
export function parseWorkLimit(value: string): { limit: WorkLimit | null } | { problem: string } {
  const v = value.trim();
  if (v === "off") return { limit: null };
  const below = /^<\s*(\d+(?:\.\d+)?)$/.exec(v);
  if (below) {
    const max = Number(below[1]);
    return max > 0
      ? { limit: { kind: "below", max } }
      : { problem: `expected a ceiling above zero, got ${JSON.stringify(value)}.` };
  }
  const growth = parsePercent(v);
  if (v.startsWith("+") && Number.isFinite(growth)) return { limit: { kind: "growth", limit: growth } };
  return { problem: `expected ${WORK_GATE_FORM}, got ${JSON.stringify(value)}.` };
}
