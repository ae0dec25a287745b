// Pure: a side that answers no request with 2xx is a broken stack, not a slow one. Timing its errors
// would compare failures, so the run stops with exit 3 and says what the requests got instead.

import { StackError } from "../errors.js";
import type { Trial } from "../result/types.js";

/** The tail of a component's log, for the message. */
export interface LogTail {
  file: string;
  /** The last lines, already read. */
  text: string;
}

/**
 * Why `label` served nothing, or undefined when every trial got at least one 2xx response.
 * `label` names the side, e.g. `stack "shop"` or `the head (HEAD-REF)`.
 */
export function servesNothingMessage(
  trials: readonly Trial[],
  label: string,
  appLog?: LogTail,
  requestPaths: readonly string[] = [],
): string | undefined {
  const empty = trials.filter((t) => t.requests === 0);
  if (empty.length === 0) return undefined;
  const sum = (f: (t: Trial) => number) => empty.reduce((a, t) => a + f(t), 0);
  const total = sum((t) => t.errors.total);
  const which =
    empty.length === 1 && trials.length === 1
      ? "its trial"
      : `trial${empty.length === 1 ? "" : "s"} ${empty.map((t) => t.index + 1).join(", ")} of ${trials.length}`;
  const got =
    total === 0
      ? " and no failed one either: no request completed in the window"
      : `, only ${total} failed request${total === 1 ? "" : "s"} (connection errors ${sum((t) => t.errors.connection)}, timeouts ${sum((t) => t.errors.timeouts)}, non-2xx ${sum((t) => t.errors.non2xx)})`;
  const paths = requestPaths.length > 0 ? ` ${requestPaths.join(", ")}` : "";
  const tail = appLog ? `\n--- last lines of the app's log ${appLog.file} ---\n${appLog.text || "(empty)"}\n---` : "";
  return `${label} served nothing: ${which} got no successful (2xx) response${got}. Check that the app answers${paths} with 2xx.${tail}`;
}

/** Throws a StackError (exit 3) when any trial of `label` got no 2xx response. */
export function assertServes(
  trials: readonly Trial[],
  label: string,
  appLog?: LogTail,
  requestPaths?: readonly string[],
): void {
  const message = servesNothingMessage(trials, label, appLog, requestPaths);
  if (message !== undefined) throw new StackError(message);
}
