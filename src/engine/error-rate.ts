// Pure: a run whose requests failed beyond gate.error-rate has no latency worth comparing: what was
// timed is mostly errors. The gate fails (exit 1, as every gate does) and this says why, by kind.

import type { Trial } from "../result/types.js";
import type { LogTail } from "./serves-nothing.js";

const pct = (x: number) => `${Number((x * 100).toFixed(2))}%`;

/** Failed requests per kind over `trials`, and all attempts. */
export function errorsByKind(trials: readonly Trial[]) {
  const sum = (f: (t: Trial) => number) => trials.reduce((a, t) => a + f(t), 0);
  const connection = sum((t) => t.errors.connection);
  const timeouts = sum((t) => t.errors.timeouts);
  const non2xx = sum((t) => t.errors.non2xx);
  const failed = connection + timeouts + non2xx;
  return { connection, timeouts, non2xx, failed, attempts: failed + sum((t) => t.requests) };
}

/**
 * Why `label` fails its error-rate gate, or undefined when its failed requests are within `limit`
 * (a fraction). Names each kind, what it means, where the limit comes from and what to do; `pool`
 * is PgBouncer's state (waiting clients explain timeouts), `appLog` the app's log tail.
 */
export function errorRateMessage(
  label: string,
  trials: readonly Trial[],
  limit: number,
  o: { requestTimeoutSeconds: number; pool?: string; appLog?: LogTail },
): string | undefined {
  const e = errorsByKind(trials);
  if (e.attempts === 0 || e.failed / e.attempts <= limit) return undefined;
  const kinds = [
    e.connection > 0
      ? `connection errors: the connection was refused, reset or closed before an answer, or not made within load.timeout`
      : "",
    e.timeouts > 0 ? `timeouts: no answer within load.timeout (${o.requestTimeoutSeconds} s)` : "",
    e.non2xx > 0 ? "non-2xx: the app answered with an error status" : "",
  ].filter(Boolean);
  const tail = o.appLog
    ? `\n--- last lines of the app's log ${o.appLog.file} ---\n${o.appLog.text || "(empty)"}\n---`
    : "";
  return [
    `${label}: ${pct(e.failed / e.attempts)} of the measured requests failed (connection errors ${e.connection}, timeouts ${e.timeouts}, non-2xx ${e.non2xx}; ${e.failed} of ${e.attempts}), over the error-rate limit of ${pct(limit)} (gate.error-rate, or --max-error-rate).`,
    `The latency and throughput of a service that fails this many requests do not describe it, so the gate fails rather than compare them. ${kinds.join("; ")}.`,
    ...(o.pool ? [o.pool] : []),
    `Fix what makes the requests fail (see the app's log below), or allow them with gate.error-rate: "<N%" in the stack file or --max-error-rate N%.${tail}`,
  ].join("\n");
}
