// Mode part: after baselines are stored, the change points that the newest baseline made appear
// in each stack's series (the data branch's whole history, or the 20 points a cached baseline carries).

import type { BaselineStore } from "../baseline/store.js";
import { MIN_POINTS, newChangePoints } from "../drift/detect.js";
import { type StackSeries, seriesFromBranch, seriesFromResult } from "../drift/series.js";
import { type DriftFinding, findingOf } from "../report/drift-finding.js";
import type { ResultDocument } from "../result/types.js";
import type { Stored } from "./baseline.js";

/** Per stack stored: the new change points (none is a finding too: the series were looked at). */
export async function checkDrift(doc: ResultDocument, stored: Stored, store: BaselineStore): Promise<DriftFinding[]> {
  const out: DriftFinding[] = [];
  for (const s of stored.saved) {
    const kept = await store.history?.(s.stack);
    const series: StackSeries = kept
      ? seriesFromBranch(kept.history, kept.source)
      : seriesFromResult(doc, s.result, `the baseline ${s.key}`);
    const looked = (Object.keys(series.series) as (keyof StackSeries["series"])[]).filter(
      (m) => series.series[m].length >= MIN_POINTS,
    );
    const short = Math.max(0, ...Object.values(series.series).map((p) => p.length));
    out.push(findingOf(s.stack, series.source, newChangePoints(series), looked, looked.length === 0 ? short : null));
  }
  return out;
}
