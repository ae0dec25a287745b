// Pure: the gate, the one model of what a run must keep, and its defaults. The plan (src/config/)
// makes each stack's final gate from its stack file, flags and inputs; everything that judges reads it.

/** Absolute SLOs, k6-style: P99 below `p99Ms` ("<50ms"), throughput above `throughput` (">1000/s"). */
export interface Slo {
  p99Ms: number | null;
  throughput: number | null;
}

export const NO_SLO: Readonly<Slo> = Object.freeze({ p99Ms: null, throughput: null });

/** Capacity at the SLO: a relative drop allowed against the baseline, or a floor. */
export type CapacityGate = { kind: "drop"; limit: number } | { kind: "floor"; rate: number };

/** One threshold as written (a stack file's gate.p99, an input p99-threshold): a relative limit, an SLO, or both. */
export interface MetricGate {
  /** Signed fraction: +0.10 for P99 "+10%", -0.05 for throughput "-5%"; null: no relative limit. */
  relative: number | null;
  /** P99: milliseconds it must stay below; throughput: req/s it must stay above; null: no SLO. */
  slo: number | null;
}

export interface Gate {
  /** How much P99 may grow, as a fraction (0.10 for "+10%"); null: not gated relatively (an SLO alone). */
  p99: number | null;
  /** How much throughput may drop, as a negative fraction (-0.05 for "-5%"); null: not gated relatively. */
  throughput: number | null;
  /** Absolute SLOs judged on this run alone. */
  slo: Slo;
  /** The highest share of failed or non-2xx responses this run may have (0.01 for "<1%"). */
  errorRate: number;
  /** How much the app's instructions per request may grow (0.01 for "+1%"); null: no cost gate (and no cost run). */
  cost: number | null;
  /** Capacity at the SLO; null: no capacity gate (and no capacity search). */
  capacity: CapacityGate | null;
  /** The database work per request (statements, rows, pages, connections); absent: not gated. */
  work?: WorkGate;
}

/** The work counts a gate may judge: gate.statements, gate.rows, gate.pages, gate.connections. */
export type GatedWork = "statements" | "rows" | "pages" | "connections";
export const GATED_WORK: readonly GatedWork[] = ["statements", "rows", "pages", "connections"];

/**
 * One work count's limit: a growth against the baseline ("+10%"), or a ceiling per request ("<4");
 * null: not gated. `readOnly`, where set, is the growth allowed when neither side's app changed a row
 * during its work count (its data is the data it started with, so the count follows the code alone);
 * `limit` applies when either side wrote, or a side does not say.
 */
export type WorkLimit = { kind: "growth"; limit: number; readOnly?: number } | { kind: "below"; max: number };
export type WorkGate = Readonly<Record<GatedWork, WorkLimit | null>>;

/**
 * The work gate when the stack file sets none of its keys (docs/work.md, "The gate", says why):
 * statements and connections may grow by 10%, pages by 100% (a lost index multiplies them many
 * times), rows not at all where the app wrote no row (they are exact: one more row is the code asking
 * for it), by 20% where it wrote (the timed trials grew its tables by what each runner's throughput
 * allowed).
 */
export const DEFAULT_WORK_GATE: WorkGate = Object.freeze({
  statements: { kind: "growth", limit: 0.1 },
  rows: { kind: "growth", limit: 0.2, readOnly: 0 },
  pages: { kind: "growth", limit: 1 },
  connections: { kind: "growth", limit: 0.1 },
});

/**
 * The cost gate when it is turned on without a threshold (--cost, the Action's `cost: true`):
 * bench/cost-power measured an A/A range of 0.044% over 20 fresh runs of the gunicorn-flask app, so
 * +1% is 20 times that, room for apps that wander more (uvicorn's chunks: 0.3%).
 */
export const DEFAULT_COST_LIMIT = 0.01;

/** The gate when the stack file has none (and for a --target, which has no stack file). */
export const DEFAULT_GATE: Readonly<Gate> = Object.freeze({
  p99: 0.1,
  throughput: -0.05,
  slo: NO_SLO,
  errorRate: 0.01,
  cost: null,
  capacity: null,
  work: DEFAULT_WORK_GATE,
});

/** The parts of a gate a flag or an input may set; what is absent keeps the stack file's (or the default). */
export interface GateOverrides {
  p99?: MetricGate;
  throughput?: MetricGate;
  errorRate?: number;
  /** true: the cost gate on (at `costLimit`, the stack file's or the default); false: off. */
  cost?: boolean;
  costLimit?: number;
  /** The work counts' limits given by flags or inputs (--statements-threshold, input rows-threshold, …); each replaces the stack file's key. */
  workLimits?: Partial<Record<GatedWork, WorkLimit | null>>;
}

/** The final gate: `base` (a stack file's, or the default) with the overrides laid over it. The one place a gate is assembled. */
export function finalGate(base: Readonly<Gate>, o: GateOverrides): Gate {
  const costOn = o.cost !== false && (o.cost === true || o.costLimit !== undefined || base.cost !== null);
  return Object.freeze({
    p99: o.p99 ? o.p99.relative : base.p99,
    throughput: o.throughput ? o.throughput.relative : base.throughput,
    slo: Object.freeze({
      p99Ms: o.p99 ? o.p99.slo : base.slo.p99Ms,
      throughput: o.throughput ? o.throughput.slo : base.slo.throughput,
    }),
    errorRate: o.errorRate ?? base.errorRate,
    cost: costOn ? (o.costLimit ?? base.cost ?? DEFAULT_COST_LIMIT) : null,
    capacity: base.capacity,
    ...workOf(base.work, o.workLimits),
  });
}

/** The work gate: the base's (the default where it has none) with the limits given laid over it; none given and none in the base: not gated. */
function workOf(base: WorkGate | undefined, given: GateOverrides["workLimits"]): { work?: WorkGate } {
  const keys = Object.keys(given ?? {}) as GatedWork[];
  if (keys.length === 0) return base ? { work: base } : {};
  return { work: Object.freeze({ ...(base ?? DEFAULT_WORK_GATE), ...given }) };
}
