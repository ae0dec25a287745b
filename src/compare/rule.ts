// Pure: the decision rule every metric is judged by.

export type Verdict = "pass" | "regression" | "improvement" | "inconclusive";

/**
 * The decision rule, in "badness" (positive = worse): `estimate` and its interval [lo, hi], `limit`
 * the allowed worsening (> 0). `reached`: the interval has the coverage the rule asked for; when it
 * does not (too few units for an exact interval at that level), nothing is decided.
 *
 * - regression: the estimate is worse than the limit and the interval excludes "no change" on the worse side;
 * - improvement: the same, mirrored;
 * - pass: the worse end of the interval is within the limit;
 * - inconclusive: otherwise.
 *
 * A false alarm needs the interval's lower end above zero when nothing changed, which happens with
 * probability at most α_each; a true change well beyond the limit is caught once the interval is
 * narrower than the change, not narrower than change − limit.
 */
export function decide(estimate: number, lo: number, hi: number, limit: number, reached = true): Verdict {
  if (!reached) return "inconclusive";
  if (estimate > limit && lo > 0) return "regression";
  if (estimate < -limit && hi < 0) return "improvement";
  if (hi <= limit) return "pass";
  return "inconclusive";
}
