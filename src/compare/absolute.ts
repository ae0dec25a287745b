// Pure: a run with no comparable baseline, gated by its absolute limits alone (the SLOs, the error rate).

import type { StackResult } from "../result/types.js";
import { errorRateOver, errorRateVerdict } from "./error-rate.js";
import type { Gate } from "./gate.js";
import { type Comparison, headlineOf, type MetricVerdict, sortRows } from "./metrics.js";
import { sloNote, trialUnits } from "./relative.js";
import { metricAlpha, type Risk, riskNote } from "./risk.js";
import { sloCount, sloVerdicts } from "./slo.js";

/**
 * Without SLOs the error rate alone decides when it is over its limit (a run whose requests failed
 * is not measured, whatever the baseline); within it there is nothing to decide: the headline is
 * no-baseline, with the reason.
 */
export function absoluteOnly(current: StackResult, gate: Gate, risk: Risk, reason: string): Comparison {
  const tested = sloCount(gate.slo);
  if ((tested === 0 && !errorRateOver(current, gate)) || current.trials.length === 0) {
    return { headline: "no-baseline", method: "stored-baseline", metrics: [], reason, notes: [] };
  }
  const alpha = metricAlpha({ ...risk, looks: 1 }, Math.max(1, tested));
  const metrics: MetricVerdict[] = sortRows([
    ...(tested > 0 ? sloVerdicts(trialUnits(current.trials), gate.slo, alpha) : []),
    errorRateVerdict(null, current.trials, gate.errorRate),
  ]);
  return {
    headline: headlineOf(metrics),
    method: "absolute",
    metrics,
    notes:
      tested > 0
        ? [
            `No comparison with a baseline (${reason}): only the absolute limits were checked.`,
            sloNote(current.trials.length, "trials"),
            riskNote(risk, alpha, tested),
          ]
        : [
            `No comparison with a baseline (${reason}), and the error rate is over its limit: the latency and throughput of a service that fails this many requests do not describe it, so the run fails whatever a baseline would say.`,
          ],
  };
}
