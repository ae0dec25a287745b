// The progress watchdog: a service that stays up but stops answering (a deadlocked worker, a server
// that logged a fatal internal error and did not exit) would otherwise hold the run until every
// trial has run out, and then be reported as a pile of timeouts.

import { StackError } from "../errors.js";

/**
 * Seconds without a single completed response, while requests are outstanding, after which the load
 * stops: twice the request timeout. Within one timeout every request that was in flight when the
 * service stopped has been abandoned; within the second, the requests sent after them have had their
 * whole timeout too and none was answered either. A service that is merely slow completes some
 * response in that time (any status counts), so it is not mistaken for a hung one; one whose every
 * request takes longer than load.timeout is indistinguishable, and the message says to raise it.
 * 20 s at the default 10-s timeout.
 */
export function stallLimitSeconds(requestTimeoutSeconds: number): number {
  return 2 * requestTimeoutSeconds;
}

/** The error when nothing names the service better (a --target). */
export function stalledError(seconds: number, requestTimeoutSeconds: number): StackError {
  return new StackError(
    `the service stopped answering: no response for ${seconds} s while requests were waiting (load.timeout ${requestTimeoutSeconds} s). Check that it is not stuck; a service whose requests take longer than the timeout needs a longer one.`,
  );
}
